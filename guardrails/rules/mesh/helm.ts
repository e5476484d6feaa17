/** Checks of Helm releases shared by the in-cluster rules (Istio, the workload CA chain). */
import { TfJson } from "../../../tfjson/terraform";

/** A Helm release's arguments that change it outside its one reviewed values document. */
export function helmOverrideProblems(address: string, release: TfJson): string[] {
  return ["set", "set_list", "set_sensitive", "set_wo", "postrender"].filter((key) => release[key] !== undefined).map((key) => `${address}: ${key} changes the release outside the reviewed values document`);
}
