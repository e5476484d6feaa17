import type { Diagram } from "./diagram";

/** What the module of one layer (aws, gcp, in-cluster) gives a stack's report. */
export interface LayerReport {
  /** What each top-level construct of the stack is, in the inventory's order (`Keys` → "Keys (KMS)"). */
  readonly capabilities: Readonly<Record<string, string>>;
  /** The stack as a diagram (its title, with the source revision, is the report's to add). */
  readonly diagram: Diagram;
  /** The layer's sections, after the inventory (encryption map, network exposure; or the in-cluster objects). */
  readonly sections: readonly string[];
}
