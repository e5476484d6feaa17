import { Construct, Node } from "constructs";
import { AwsRegionConfig, GcpRegionConfig, RegionConfig } from "../config/schema";
import { BLUEPRINT_STACK, CdktfStack, DISABLE_STACK_TRACE_IN_METADATA, GcsBackend, S3Backend, TerraformElement, TerraformStack, fastStackToTerraform } from "./cdktf";
import { correctHcl } from "./hcl";

/**
 * Base of every stack: Terraform addresses are the construct path in snake_case
 * (`aws_kms_key.keys_database_key`), not cdktf's hashed ids (`Keys_Database_Key_8F2C1A2B`), so a
 * reviewer can read a plan. Construct ids are unique per scope, so paths are unique; two paths
 * that differ only in case or punctuation are rejected rather than silently merged.
 */
export abstract class BlueprintStack extends TerraformStack {
  private readonly allocated = new Map<string, string>();
  /** Marks the stack for the cross-stack guard (core/cdktf-speed.ts). */
  readonly [BLUEPRINT_STACK] = true;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // Warnings (the guardrails' and cdktf's) go into manifest.json without a stack trace: it would
    // name this machine's paths and change with every call site, so the output would not be
    // byte-identical from one synth to the next.
    this.node.setContext(DISABLE_STACK_TRACE_IN_METADATA, true);
  }

  protected allocateLogicalId(tfElement: TerraformElement | Node): string {
    const node = tfElement instanceof Node ? tfElement : tfElement.node;
    const id = this.snakePath(node);
    const path = node.path;
    const previous = this.allocated.get(id);
    if (previous !== undefined && previous !== path) {
      throw new Error(`Construct paths "${previous}" and "${path}" map to the same Terraform address "${id}"; rename one of the construct ids.`);
    }
    this.allocated.set(id, path);
    return id;
  }

  /** The snake_case ids of the constructs from below the stack down to `node`, joined by `_`. */
  private snakePath(node: Node): string {
    const components: string[] = [];
    for (let c: Node | undefined = node; c !== this.node; c = c.scope?.node) {
      // Not under this stack: the ids of every scope, as cdktf's own scheme takes them.
      if (!c) return node.scopes.map((x) => toSnake(x.node.id)).join("_");
      components.push(toSnake(c.id));
    }
    return components.reverse().join("_");
  }

  /**
   * cdktf resolves every stack once more before synthesis ("preparing"), only so that references
   * between stacks can add the outputs and remote-state reads they need. The blueprint's stacks
   * never reference each other's resources (an in-cluster stack reads `region-<name>`'s outputs
   * through its own `terraform_remote_state`, and the guardrails refuse any other data source), so
   * preparing is only the backend: the stack is resolved for the guardrails and written, not three
   * times. A reference or depends_on into another blueprint stack throws when it is resolved
   * (core/cdktf-speed.ts), naming both stacks.
   */
  prepareStack(): void {
    this.ensureBackendExists();
  }

  /** The JSON the guardrails resolved while validating, not yet handed to cdktf's synthesizer, and the tree it came from. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private resolvedForSynth?: { readonly json: { [key: string]: any }; readonly constructs: number };

  /**
   * Hands the JSON that the stack's validation just resolved (`resolveFresh`) to the synthesizer,
   * which calls `toTerraform()` right after the validations: the stack is resolved once for both,
   * not twice (resolution is most of synth's cost). Used once; never if the tree has changed since.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  reuseForSynth(json: { [key: string]: any }): void {
    this.resolvedForSynth = { json, constructs: this.node.findAll().length };
  }

  /** The stack resolved now, whatever was handed over before. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  resolveFresh(): { [key: string]: any } {
    this.resolvedForSynth = undefined;
    return fastStackToTerraform(this as unknown as CdktfStack);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  toTerraform(): { [key: string]: any } {
    const handed = this.resolvedForSynth;
    this.resolvedForSynth = undefined;
    if (handed && handed.constructs === this.node.findAll().length) return handed.json;
    return fastStackToTerraform(this as unknown as CdktfStack);
  }

  /** cdktf's own toTerraform (fastStackToTerraform's, with cdktf's resolver: BLUEPRINT_CDKTF_RESOLVE=1). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  cdktfToTerraform(): { [key: string]: any } {
    return super.toTerraform();
  }

  /** `cdktf synth --hcl`: cdktf's HCL, corrected where cdktf 0.21 writes invalid HCL (see ./hcl). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  toHclTerraform(): { [key: string]: any } {
    const out = super.toHclTerraform();
    return { ...out, hcl: correctHcl(String(out.hcl), this.toTerraform()) };
  }
}

/** A stack of one region's. */
export abstract class RegionStack<R extends RegionConfig = RegionConfig> extends BlueprintStack {
  /**
   * @param region the region the stack belongs to
   * @param layer what of the region it holds: `aws` or `gcp` (`region-<name>`, that cloud's
   *   provider only), `pki` (cert-manager and the AWS PCA issuer, where the region has a mesh
   *   intermediate CA), `istio` (namespaces and the Istio install), `mesh` (the mesh's policies),
   *   `dr` (what lives in the DR partner region beside region-<name>'s copies: the Kafka mirror)
   */
  /** Every region deployed beside this one (itself included): calls between regions are read from them. */
  readonly peers: readonly RegionConfig[];

  constructor(
    scope: Construct,
    id: string,
    readonly region: R,
    readonly layer: StackLayer,
    peers?: readonly RegionConfig[],
  ) {
    super(scope, id);
    this.peers = peers ?? [region];
  }

  /**
   * State in the region's state bucket under `key`, encrypted with the state key, with S3-native
   * locking (Terraform ≥ 1.10; cdktf 0.21 has no typed option for it).
   */
  protected useRegionStateBackend(key: string): void {
    const region: RegionConfig = this.region;
    if (region.cloud !== "aws") throw new Error(`${this.node.id}: the S3 state backend is for AWS regions`);
    const state = (region as AwsRegionConfig).stateBackend;
    const backend = new S3Backend(this, { bucket: state.bucket, key, region: state.region, encrypt: true, kmsKeyId: state.kmsKeyArn });
    backend.addOverride("use_lockfile", true);
    this.addOverride("terraform.required_version", ">= 1.10");
  }

  /**
   * State in the region's GCS state bucket under `prefix`, encrypted with the state key (Cloud KMS);
   * GCS locks state natively.
   */
  protected useGcsStateBackend(prefix: string): void {
    const region: RegionConfig = this.region;
    if (region.cloud !== "gcp") throw new Error(`${this.node.id}: the GCS state backend is for GCP regions`);
    const state = (region as GcpRegionConfig).stateBackend;
    new GcsBackend(this, { bucket: state.bucket, prefix, kmsEncryptionKey: state.kmsKeyName });
    this.addOverride("terraform.required_version", ">= 1.10");
  }
}

/**
 * The S3 state object of one of a region's stacks: the region's key for `region-<name>`, beside it
 * for the others (`regions/eu/terraform.tfstate` → `regions/eu/terraform-istio.tfstate`).
 */
export function layerStateKey(region: AwsRegionConfig, layer: StackLayer): string {
  return layer === "aws" ? region.stateBackend.key : `${region.stateBackend.key.replace(/\.tfstate$/, "")}-${layer}.tfstate`;
}

/** The layers of a region, in deploy order. */
export const STACK_LAYERS = ["aws", "gcp", "pki", "istio", "mesh", "dr"] as const;
export type StackLayer = (typeof STACK_LAYERS)[number];

/** `EksSecrets` → `eks_secrets`, `ecr.api` → `ecr_api`, `eu-west-1a` stays. Each id once per process: the same ids recur in every region. */
function toSnake(id: string): string {
  let snake = snakeIds.get(id);
  if (snake === undefined) {
    snake = id
      .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
      .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
      .replace(/[^A-Za-z0-9_-]/g, "_")
      .toLowerCase();
    snakeIds.set(id, snake);
  }
  return snake;
}
const snakeIds = new Map<string, string>();
