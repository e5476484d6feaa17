import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { credentialSources, noCredentialsHint } from "../../scripts/cdktf";

const emptyHome = () => fs.mkdtempSync(path.join(os.tmpdir(), "home-"));

describe("npm run diff / deploy: where credentials are missing", () => {
  it("finds none on a machine without them", () => {
    expect(credentialSources({}, emptyHome())).toEqual([]);
  });

  it.each(["AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_CREDENTIALS", "GOOGLE_OAUTH_ACCESS_TOKEN"])("finds %s in the environment", (v) => {
    expect(credentialSources({ [v]: "x" }, emptyHome())).toEqual([v]);
  });

  it.each([".aws/credentials", ".aws/config", ".config/gcloud/application_default_credentials.json"])("finds ~/%s", (file) => {
    const home = emptyHome();
    fs.mkdirSync(path.dirname(path.join(home, file)), { recursive: true });
    fs.writeFileSync(path.join(home, file), "");
    expect(credentialSources({}, home)).toEqual([path.join(home, file)]);
  });

  it("finds the files the AWS variables point to instead of ~/.aws", () => {
    const dir = emptyHome();
    fs.writeFileSync(path.join(dir, "creds"), "");
    expect(credentialSources({ AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "creds"), AWS_CONFIG_FILE: path.join(dir, "none") }, emptyHome())).toEqual([path.join(dir, "creds")]);
  });

  it.each(["diff", "deploy", "destroy", "output"])("after a failed %s with no credentials, points to npm run plan", (command) => {
    expect(noCredentialsHint(command, [])).toMatch(new RegExp(`^cdktf ${command} works against a real account[^]*npm run plan -- region-<name>`));
  });

  it("says nothing where credentials exist, or for a command that needs none", () => {
    expect(noCredentialsHint("diff", ["AWS_PROFILE"])).toBeUndefined();
    expect(noCredentialsHint("synth", [])).toBeUndefined();
    expect(noCredentialsHint(undefined, [])).toBeUndefined();
  });
});
