// The CLI's floor for the benchmark: a cdktf app with one AWS resource, run by `cdktf synth` the
// same way as the blueprint (same CLI, same app runner, same deep provider import).
// The floor is a plain cdktf app: none of the blueprint, not even core/cdktf.ts.
// eslint-disable-next-line no-restricted-imports
import { App, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";

const app = new App();
const stack = new TerraformStack(app, "one-resource");
new AwsProvider(stack, "aws", { region: "eu-west-1" });
new S3Bucket(stack, "bucket", { bucket: "bench-one-resource" });
app.synth();
