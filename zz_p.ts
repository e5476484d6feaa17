import { findOfflineTerraform, planOffline } from "./scripts/offline-plan";
import { hsmStageStacks } from "./test/support/synth";
(async () => {
  const tools = findOfflineTerraform();
  if ("missing" in tools) throw new Error(tools.missing);
  for (const s of hsmStageStacks()) {
    const t = Date.now();
    try {
      const p = await planOffline(s.dir, { tools });
      console.log(s.name, (Date.now()-t)/1000, p.validateOutput.trim().split("\n")[0], p.planText.match(/Plan: .*/)?.[0], p.workdir);
    } catch (e) { console.log(s.name, "FAILED", String(e).slice(0, 3000)); }
  }
})();
