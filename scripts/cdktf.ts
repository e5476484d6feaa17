/**
 * `npm run deploy -- <stack>`, `npm run diff -- <stack>` (and `npm run cdktf -- <any command>`):
 * the cdktf CLI with its version checkpoint off (it calls HashiCorp's servers on every command and
 * prints an error where there is no network), the terminal left to it (deploy asks for approval).
 * Where the command fails and this machine shows no cloud credentials, says what they are for and
 * what works without them (`npm run plan`), instead of leaving the reader with the SDK's
 * "no valid credential sources" or an IMDS timeout.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** Where the AWS and Google SDKs find credentials without a metadata server (their documented chains). */
export function credentialSources(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string[] {
  const found: string[] = [];
  for (const v of ["AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_CREDENTIALS", "GOOGLE_OAUTH_ACCESS_TOKEN"]) {
    if (env[v]) found.push(v);
  }
  for (const file of [env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(home, ".aws", "credentials"), env.AWS_CONFIG_FILE ?? path.join(home, ".aws", "config"), path.join(home, ".config", "gcloud", "application_default_credentials.json")]) {
    if (fs.existsSync(file)) found.push(file);
  }
  return found;
}

/** What to say when a cdktf command failed on a machine with no credentials; undefined where that is not the case. */
export function noCredentialsHint(command: string | undefined, sources: readonly string[]): string | undefined {
  if (sources.length > 0 || command === undefined || !["diff", "deploy", "destroy", "output"].includes(command)) return undefined;
  return [
    `cdktf ${command} works against a real account: it needs credentials for the region's account (AWS) or project (Google Cloud), and this machine shows none`,
    "(no AWS_* or GOOGLE_* credentials in the environment, no ~/.aws or gcloud application-default credentials; on EC2 or GCE the metadata server may still hold some).",
    "Without an account: `npm run plan -- region-<name>` plans an AWS region stack with the same Terraform, offline (docs/reviewing.md).",
    "With one: docs/deploy.md says which role deploys which stack.",
  ].join("\n");
}

function main(): void {
  const args = process.argv.slice(2).filter((a, i) => !(i === 0 && a === "--"));
  const cli = require.resolve("cdktf-cli/bundle/bin/cdktf");
  const run = spawnSync(process.execPath, [cli, ...args], { stdio: "inherit", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
  const status = run.status ?? 1;
  if (status !== 0) {
    const hint = noCredentialsHint(args[0], credentialSources());
    if (hint) console.error(`\n${hint}`);
  }
  process.exit(status);
}

// Run as `node scripts/run-ts.cjs scripts/cdktf.ts ...` (the tests import it).
if (process.argv[1] === __filename) main();
