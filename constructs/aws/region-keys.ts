import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Construct } from "constructs";
import { Lazy, TerraformResource, dependable } from "../../core/cdktf";
import { PolicyCondition, PolicyStatement, isAnyone, partitionOf, renderPolicy } from "./iam-policy";
import { KEY_ALIAS_SUFFIXES, KEY_PURPOSES, type KeyPurpose, RETIRED_KEY_DENIED_ACTIONS } from "../../model/aws/keys";
import { CUSTODIAN_ONLY_ACTIONS, KEY_ADMIN_ACTIONS, KEY_SERVICE_LINKED_ROLES, KEY_USES, type KeyRole, type KeyUser } from "../../model/aws/key-access";

/** Construct id, alias suffix and description of each key; ids are API (they are Terraform addresses). */
const KEY_SPECS: Readonly<Record<KeyPurpose, { id: string; alias: string; description: string }>> = {
  database: { id: "Database", alias: KEY_ALIAS_SUFFIXES.database, description: "Aurora storage, snapshots and Performance Insights" },
  kafka: { id: "Kafka", alias: KEY_ALIAS_SUFFIXES.kafka, description: "MSK data at rest" },
  audit: { id: "Audit", alias: KEY_ALIAS_SUFFIXES.audit, description: "audit archive objects (S3 Object Lock)" },
  eksSecrets: { id: "EksSecrets", alias: KEY_ALIAS_SUFFIXES.eksSecrets, description: "EKS secrets envelope encryption" },
  logs: { id: "Logs", alias: KEY_ALIAS_SUFFIXES.logs, description: "CloudWatch log groups" },
  secretsManager: { id: "SecretsManager", alias: KEY_ALIAS_SUFFIXES.secretsManager, description: "Secrets Manager secrets" },
  ebs: { id: "Ebs", alias: KEY_ALIAS_SUFFIXES.ebs, description: "EBS volumes of cluster nodes" },
  ecr: { id: "Ecr", alias: KEY_ALIAS_SUFFIXES.ecr, description: "container images in the private ECR repositories" },
  tokenization: { id: "Tokenization", alias: KEY_ALIAS_SUFFIXES.tokenization, description: "tokenization service (moves to the CloudHSM key store)" },
  alerts: { id: "Alerts", alias: KEY_ALIAS_SUFFIXES.alerts, description: "the security alert topic's messages (SNS)" },
};

/** Properties of {@link RegionKeys}. */
export interface RegionKeysProps {
  /** Account that owns the keys; its root administers them through IAM (never uses them: use goes to named roles, admitUsers). */
  readonly accountId: string;
  /** Region of the keys (for the CloudWatch Logs service principal and its encryption context). */
  readonly region: string;
  /** Every key gets the alias `alias/<aliasPrefix>/<purpose>`. */
  readonly aliasPrefix: string;
  /**
   * The keys' custodians: the only principals (with the account's root user) that may change a key
   * policy, disable a key or schedule its deletion. The deploy role must be one: KMS refuses to
   * create a key whose policy would not let its creator change it again.
   */
  readonly custodianArns: readonly string[];
  /**
   * Days between automatic rotations (PCI DSS 3.7.4 cryptoperiod), 90 to 2560.
   * @default 365
   */
  readonly rotationPeriodDays?: number;
}

/** Properties of {@link CustomerManagedKey}. */
export type CustomerManagedKeyProps = {
  /** Full alias name, `alias/...`. */
  readonly aliasName: string;
  /** What the key protects (shown in the console and the plan). */
  readonly description: string;
  /** The initial key policy statements; more can be added with `addToPolicy`. */
  readonly statements: readonly PolicyStatement[];
} & (
  | {
      /** Days between automatic rotations. */
      readonly rotationPeriodDays: number;
      readonly customKeyStoreId?: undefined;
    }
  | {
      /**
       * The custom key store whose HSMs generate and hold the key material. Such keys cannot rotate
       * automatically (KMS refuses): rotation is manual, by a new key and an alias move.
       */
      readonly customKeyStoreId: string;
      readonly rotationPeriodDays?: undefined;
    }
);

/** A customer-managed key, the statements of its policy and its alias. */
export class CustomerManagedKey extends Construct {
  /** The key; pass this object, not its ARN, to constructs that encrypt with it. */
  readonly key: KmsKey;
  readonly alias: KmsAlias;
  /** The alias's name, `alias/...` (a plain string, unlike `alias.name`). */
  readonly aliasName: string;
  private readonly statements: PolicyStatement[];
  /** The resources the key waits for because its policy names what they create. */
  private readonly principalSources = new Set<TerraformResource>();

  constructor(scope: Construct, id: string, props: CustomerManagedKeyProps) {
    super(scope, id);
    this.statements = [...props.statements];
    this.aliasName = props.aliasName;
    const inKeyStore = props.customKeyStoreId !== undefined;
    this.key = new KmsKey(this, "Key", {
      description: props.description,
      keyUsage: "ENCRYPT_DECRYPT",
      customerMasterKeySpec: "SYMMETRIC_DEFAULT",
      customKeyStoreId: props.customKeyStoreId,
      // Multi-region keys copy key material to other regions: never, for residency.
      multiRegion: false,
      enableKeyRotation: !inKeyStore,
      rotationPeriodInDays: props.rotationPeriodDays,
      deletionWindowInDays: 30,
      isEnabled: true,
      bypassPolicyLockoutSafetyCheck: false,
      // Rendered at synth, so constructs built later can still add the statements they need.
      policy: Lazy.stringValue({ produce: () => renderPolicy(this.statements) }),
      lifecycle: { preventDestroy: true },
    });
    this.alias = new KmsAlias(this, "Alias", { name: props.aliasName, targetKeyId: this.key.keyId });
  }

  /**
   * Adds a statement to the key policy (e.g. a service-linked role that must use the key).
   * `principalsFrom`: the resources that create the statement's principals; the key is created
   * after them, since KMS refuses a policy that names a principal that does not exist yet.
   */
  addToPolicy(statement: PolicyStatement, principalsFrom: readonly TerraformResource[] = []): void {
    if (statement.Effect === "Allow" && isAnyone(statement.Principal) && !statement.Condition) {
      throw new Error(`Key policy statement "${statement.Sid}" names principal "*" with no condition; name the principals instead.`);
    }
    this.statements.push(statement);
    const after = principalsFrom.filter((r) => !this.principalSources.has(r));
    for (const r of after) this.principalSources.add(r);
    if (after.length > 0) this.key.dependsOn = [...(this.key.dependsOn ?? []), ...after.map((r) => dependable(r))];
  }
}

/**
 * One customer-managed KMS key per purpose for a region: rotation on, 30-day deletion window,
 * single-region, protected from destroy, each with an alias and a policy naming its principals.
 * The tokenization purpose can later move into a CloudHSM key store, where keys rotate by hand.
 */
export class RegionKeys extends Construct {
  /** Aurora storage, snapshots, Performance Insights. */
  readonly database: KmsKey;
  /** MSK data at rest (and its SCRAM secrets). */
  readonly kafka: KmsKey;
  /** The audit archive's objects. */
  readonly audit: KmsKey;
  /** EKS secrets envelope encryption. */
  readonly eksSecrets: KmsKey;
  /** CloudWatch log groups. */
  readonly logs: KmsKey;
  /** Secrets Manager secrets (e.g. the database master password). */
  readonly secretsManager: KmsKey;
  /** EBS volumes of cluster nodes. */
  readonly ebs: KmsKey;
  /** Container images in the region's private ECR repositories. */
  readonly ecr: KmsKey;
  /** The security alert topic's messages. */
  readonly alerts: KmsKey;
  private readonly keys: Record<KeyPurpose, CustomerManagedKey>;
  private readonly aliasPrefix: string;
  private readonly commonStatements: readonly PolicyStatement[];
  private tokenizationKey: KmsKey;
  private hsmTokenizationKeys?: readonly CustomerManagedKey[];
  private readonly region: string;
  private readonly accountId: string;
  private admitted = false;

  constructor(scope: Construct, id: string, props: RegionKeysProps) {
    super(scope, id);
    const rotationPeriodDays = props.rotationPeriodDays ?? 365;
    if (rotationPeriodDays < 90 || rotationPeriodDays > 2560) {
      throw new Error(`RegionKeys: rotationPeriodDays must be between 90 and 2560 (KMS limits), got ${rotationPeriodDays}.`);
    }
    if (!/^\d{12}$/.test(props.accountId)) {
      throw new Error(`RegionKeys: accountId must be a 12-digit account id, got "${props.accountId}".`);
    }
    const common = administrationStatements(props.region, props.accountId, props.custodianArns);
    const servicePrincipals: Partial<Record<KeyPurpose, PolicyStatement[]>> = { logs: [cloudWatchLogsStatement(props.region, props.accountId)] };

    const make = (purpose: KeyPurpose): CustomerManagedKey => {
      const spec = KEY_SPECS[purpose];
      return new CustomerManagedKey(this, spec.id, {
        aliasName: `alias/${props.aliasPrefix}/${spec.alias}`,
        description: `${props.aliasPrefix}: ${spec.description}`,
        rotationPeriodDays,
        statements: [...common, ...(servicePrincipals[purpose] ?? [])],
      });
    };
    this.keys = {
      database: make("database"),
      kafka: make("kafka"),
      audit: make("audit"),
      eksSecrets: make("eksSecrets"),
      logs: make("logs"),
      secretsManager: make("secretsManager"),
      ebs: make("ebs"),
      ecr: make("ecr"),
      tokenization: make("tokenization"),
      alerts: make("alerts"),
    };
    this.database = this.keys.database.key;
    this.kafka = this.keys.kafka.key;
    this.audit = this.keys.audit.key;
    this.eksSecrets = this.keys.eksSecrets.key;
    this.logs = this.keys.logs.key;
    this.secretsManager = this.keys.secretsManager.key;
    this.ebs = this.keys.ebs.key;
    this.ecr = this.keys.ecr.key;
    this.alerts = this.keys.alerts.key;
    this.tokenizationKey = this.keys.tokenization.key;
    this.aliasPrefix = props.aliasPrefix;
    this.commonStatements = common;
    this.region = props.region;
    this.accountId = props.accountId;
  }

  /**
   * The tokenization service's key: an ordinary CMK until {@link moveTokenizationToKeyStore}, then
   * the newest HSM-backed key. Read it after the move when both happen in one stack.
   */
  get tokenization(): KmsKey {
    return this.tokenizationKey;
  }

  /**
   * The HSM-backed tokenization keys, oldest first (empty before the move): a service that
   * decrypts old tokens needs Decrypt on each of them and on the ordinary CMK.
   */
  get hsmTokenization(): readonly KmsKey[] {
    return (this.hsmTokenizationKeys ?? []).map((k) => k.key);
  }

  /** Every key of the region: one per purpose (the interim tokenization key among them after a move) and each HSM-backed generation. */
  get all(): readonly KmsKey[] {
    return [...KEY_PURPOSES.map((p) => this.keys[p].key), ...this.hsmTokenization];
  }

  /**
   * Moves the tokenization purpose into a CloudHSM custom key store (PCI DSS 3.6.1). Creates one
   * key per generation `1..generation` in the store, each with alias `tokenization-hsm-g<n>`, and
   * points the `tokenization` alias at the newest (an in-place alias update, so clients that use
   * the alias follow). Every earlier key, including the ordinary CMK used until now (alias
   * `tokenization-interim`), stays for decryption and re-encryption, and its policy denies new
   * encryption: data moves forward with ReEncrypt, never back.
   *
   * Keys in a custom key store cannot rotate automatically; raising `generation` is the manual
   * rotation (docs/deploy.md).
   */
  moveTokenizationToKeyStore(customKeyStoreId: string, generation = 1): void {
    if (this.hsmTokenizationKeys) throw new Error("RegionKeys: the tokenization key has already moved to a key store.");
    if (this.admitted) throw new Error("RegionKeys: move the tokenization key before admitting the key users (its generations need them too).");
    if (!Number.isInteger(generation) || generation < 1) {
      throw new Error(`RegionKeys: the tokenization key generation must be a whole number from 1, got ${generation}.`);
    }
    const interim = this.keys.tokenization;
    const scope = new Construct(this, "TokenizationHsm");
    const generations = Array.from(
      { length: generation },
      (_, i) =>
        new CustomerManagedKey(scope, `G${i + 1}`, {
          aliasName: `alias/${this.aliasPrefix}/tokenization-hsm-g${i + 1}`,
          description: `${this.aliasPrefix}: tokenization service, generation ${i + 1}, key material in the CloudHSM key store`,
          customKeyStoreId,
          statements: this.commonStatements,
        }),
    );
    const current = generations[generations.length - 1];
    const purposeAlias = interim.alias;
    purposeAlias.targetKeyId = current.key.keyId;
    new KmsAlias(interim, "InterimAlias", { name: `alias/${this.aliasPrefix}/tokenization-interim`, targetKeyId: interim.key.keyId });
    for (const retired of [interim, ...generations.slice(0, -1)]) {
      retired.addToPolicy({
        Sid: "RetiredTokenizationKeyDecryptsOnly",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: [...RETIRED_KEY_DENIED_ACTIONS],
        Resource: "*",
        // Callers that name the purpose alias still reach this key until the alias move has
        // propagated (KMS is eventually consistent) or if the apply stops before the move: they
        // are let through; any other way to encrypt under a retired key is refused.
        Condition: { StringNotEquals: { "kms:RequestAlias": interim.aliasName } },
      });
      // The policy changes only once the alias has moved.
      retired.key.dependsOn = [...(retired.key.dependsOn ?? []), dependable(purposeAlias)];
    }
    this.hsmTokenizationKeys = generations;
    this.tokenizationKey = current.key;
  }

  /**
   * Admits an AWS service principal to one key (e.g. CloudTrail to the audit key). Each statement
   * must limit the service to this account's resources by a condition (aws:SourceArn, an
   * encryption context): keys.policies-name-principals fails one without.
   */
  admitService(purpose: KeyPurpose, statements: readonly PolicyStatement[]): void {
    for (const s of statements) {
      if (!s.Condition) throw new Error(`RegionKeys.admitService(${purpose}): statement "${s.Sid}" has no condition; limit the service to this account's resources.`);
      this.keys[purpose].addToPolicy(s);
    }
  }

  /**
   * Grants each key's use to the principals that need it (model/aws/key-access.ts KEY_USES), and
   * to no one else. Call once, after the tokenization key has moved (its generations get the same
   * statements: retired ones still decrypt).
   */
  admitUsers(users: KeyUsers, buckets: KeyBuckets): void {
    if (this.admitted) throw new Error("RegionKeys: the key users have already been admitted.");
    this.admitted = true;
    for (const purpose of KEY_PURPOSES) {
      const statements = keyUseStatements(purpose, { accountId: this.accountId, region: this.region }, users, buckets);
      const keys = purpose === "tokenization" ? [this.keys.tokenization, ...(this.hsmTokenizationKeys ?? [])] : [this.keys[purpose]];
      for (const key of keys) for (const s of statements) key.addToPolicy(s);
    }
  }

  /**
   * The key and alias created for a purpose, e.g. to add a key-policy statement. For tokenization
   * this is the ordinary CMK, also after the move; the HSM-backed keys are `hsmTokenization`.
   */
  managedKey(purpose: KeyPurpose): CustomerManagedKey {
    return this.keys[purpose];
  }
}

/**
 * The administration statements every key policy starts with: the account root administers the key
 * through IAM (so the key stays manageable) but may not use it, and only the custodians and the
 * root user may change the policy, disable the key or schedule its deletion.
 */
export function administrationStatements(region: string, accountId: string, custodianArns: readonly string[]): PolicyStatement[] {
  if (custodianArns.length === 0) throw new Error("Key policies need at least one custodian (the deploy role): KMS refuses a policy its creator could not change again.");
  const root = accountRoot(region, accountId);
  return [
    // Listed one by one: `kms:*` or `kms:Create*` would include use and CreateGrant, with which an
    // administrator could grant itself Decrypt.
    { Sid: "AccountAdministersTheKeyNeverUsesIt", Effect: "Allow", Principal: { AWS: root }, Action: [...KEY_ADMIN_ACTIONS], Resource: "*" },
    {
      Sid: "OnlyCustodiansChangeThePolicyOrRetireTheKey",
      Effect: "Deny",
      Principal: { AWS: "*" },
      Action: [...CUSTODIAN_ONLY_ACTIONS],
      Resource: "*",
      // A condition, not a principal: a custodian role recreated with the same name keeps the key.
      Condition: { ArnNotEquals: { "aws:PrincipalArn": [...custodianArns, root] } },
    },
  ];
}

/**
 * What a logs key grants CloudWatch Logs of its region: the key for this account's log groups
 * only (the encryption context names them), as AWS documents it, without the wildcards on Encrypt,
 * Decrypt and Describe (which match nothing more).
 */
export function cloudWatchLogsStatement(region: string, accountId: string): PolicyStatement {
  return {
    Sid: "CloudWatchLogsForThisAccountOnly",
    Effect: "Allow",
    Principal: { Service: `logs.${region}.amazonaws.com` },
    Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
    Resource: "*",
    Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${partitionOf(region)}:logs:${region}:${accountId}:log-group:*` } },
  };
}

/** The principals of each key user, as ARNs (service-linked roles are derived from the account). */
export type KeyUsers = Readonly<Partial<Record<KeyUser, readonly string[]>>>;

/** The ARNs of the buckets whose objects a key use is limited to. */
export type KeyBuckets = Readonly<Partial<Record<"archive" | "drArchive", string>>>;

/**
 * The use statements of one key (model/aws/key-access.ts): each names its roles by
 * `aws:PrincipalArn` under the root principal, limited to the services that call KMS for them;
 * CreateGrant is a statement of its own, for AWS resources only.
 */
export function keyUseStatements(role: KeyRole, key: { readonly accountId: string; readonly region: string }, users: KeyUsers, buckets: KeyBuckets = {}): PolicyStatement[] {
  const partition = partitionOf(key.region);
  const principal = { AWS: accountRoot(key.region, key.accountId) };
  const statements: PolicyStatement[] = [];
  for (const use of KEY_USES[role]) {
    const slr = KEY_SERVICE_LINKED_ROLES[use.user];
    const arns = slr ? [`arn:${partition}:iam::${key.accountId}:role/aws-service-role/${slr.service}/${slr.role}`] : [...(users[use.user] ?? [])];
    if (arns.length === 0 || (use.onlyWith && (users[use.onlyWith] ?? []).length === 0)) continue;
    const bucket = use.bucket ? buckets[use.bucket] : undefined;
    if (use.bucket && !bucket) throw new Error(`Key use ${use.sid} is limited to the ${use.bucket} bucket's objects: name that bucket's ARN.`);
    const strings: Record<string, string | string[]> = {};
    if (use.via.length > 0) strings["kms:ViaService"] = use.via.map((s) => `${s}.${key.region}.amazonaws.com`);
    if (bucket) strings["kms:EncryptionContext:aws:s3:arn"] = bucket;
    const named = { ArnEquals: { "aws:PrincipalArn": arns }, ...(Object.keys(strings).length > 0 ? { StringEquals: strings } : {}) };
    const crypto = use.actions.filter((a) => a !== "kms:CreateGrant");
    if (crypto.length > 0) statements.push({ Sid: use.sid, Effect: "Allow", Principal: principal, Action: crypto, Resource: "*", Condition: named });
    if (use.actions.includes("kms:CreateGrant")) {
      const forAwsResources: PolicyCondition = use.unconditionedGrants ? {} : { Bool: { "kms:GrantIsForAWSResource": "true" } };
      statements.push({ Sid: `${use.sid}Grants`, Effect: "Allow", Principal: principal, Action: "kms:CreateGrant", Resource: "*", Condition: { ...named, ...forAwsResources } });
    }
  }
  return statements;
}

function accountRoot(region: string, accountId: string): string {
  return `arn:${partitionOf(region)}:iam::${accountId}:root`;
}
