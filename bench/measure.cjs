// Loaded with --require by the benchmark: at exit, writes the process's CPU time and peak RSS to
// BENCH_USAGE_FILE (the parent measures wall time around the whole process).
const fs = require("fs");
process.on("exit", () => {
  const file = process.env.BENCH_USAGE_FILE;
  if (!file) return;
  const cpu = process.cpuUsage();
  const usage = process.resourceUsage();
  fs.writeFileSync(file, JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, maxRssMb: usage.maxRSS / 1024 }));
});
