/**
 * Synthesis on every core: the regions are cut into contiguous shares, the main thread synthesizes
 * the first and a worker thread each of the others, each into the same outdir (every stack has its
 * own folder), and the main thread writes the one `manifest.json` of all of them. The output is
 * byte for byte what one thread writes (a test compares both; `manifest.json` is written with its
 * keys sorted, so the order the shares finish in does not show).
 *
 * A worker runs the app's own entry again, through the same runner (scripts/run-ts.cjs, which says
 * how it was started), and so the same bundle and code cache. It starts in about a region's
 * time, so the main thread takes that much more than its even share, and a worker is started only
 * for two regions or more: the shipped three are synthesized in one thread (a worker for one of
 * them cost more than it saved). `BLUEPRINT_SYNTH_THREADS=1` keeps it to one thread;
 * `BLUEPRINT_SYNTH_THREADS=<n>` allows n (default: the machine's cores, at most 4).
 */
import * as os from "os";
import { isMainThread, parentPort, Worker, workerData } from "worker_threads";
import { App } from "./cdktf";

/** How scripts/run-ts.cjs was started (it sets this): the same arguments start a worker thread on the same entry. */
const RUNNER = Symbol.for("pci-blueprint.run-ts");
/** Marks the data of a synthesis worker. */
const SHARE = "pci-blueprint.synth-share";

/** A worker's startup (reading the bundle, loading cdktf and the providers' bindings) in regions' synthesis time, measured with 64 regions on 2 cores. */
export const WORKER_STARTUP_IN_UNITS = 1;
/** The fewest units a worker is started for. */
export const WORKER_MIN_UNITS = 2;

/** The half-open ranges [from, to) of `count` units for `threads` threads, the first (the main thread's) larger by the workers' startup. */
export function shares(count: number, threads: number, startup = WORKER_STARTUP_IN_UNITS): [number, number][] {
  for (let t = Math.max(1, Math.min(threads, count)); t > 1; t--) {
    // The main thread's share: an even share of the units and of the workers' startup time.
    const first = Math.min(count, Math.ceil((count + (t - 1) * startup) / t));
    const rest = count - first;
    if (rest < (t - 1) * WORKER_MIN_UNITS) continue;
    const out: [number, number][] = [[0, first]];
    for (let i = 0; i < t - 1; i++) {
      const from = first + Math.floor((rest * i) / (t - 1));
      out.push([from, first + Math.floor((rest * (i + 1)) / (t - 1))]);
    }
    return out;
  }
  return [[0, count]];
}

/**
 * The most threads a synthesis uses unless told: each worker holds its own heap (about 130 MB), and
 * Node counts the cores a process may run on, not a container's CPU quota.
 */
export const DEFAULT_MAX_THREADS = 4;

/** The threads a synthesis may use: `BLUEPRINT_SYNTH_THREADS`, else the machine's cores, at most DEFAULT_MAX_THREADS. */
export function synthThreads(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.BLUEPRINT_SYNTH_THREADS;
  if (raw === undefined || raw === "") return Math.min(os.availableParallelism(), DEFAULT_MAX_THREADS);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`BLUEPRINT_SYNTH_THREADS=${raw}: give a whole number of threads, 1 or more (1: no worker threads).`);
  return n;
}

export interface ThreadedSynth<D, S, R> {
  readonly app: App;
  /** The units (regions) to synthesize. */
  readonly count: number;
  /** What every thread needs to build its share (structured-cloneable: plain data). */
  readonly data: D;
  readonly threads: number;
  /** Builds the stacks of the units [from, to) in `app`. */
  readonly define: (app: App, data: D, from: number, to: number) => S[];
  /** After the share's stacks are written: what the main thread collects of them (plain data). */
  readonly finish: (app: App, stacks: S[], data: D) => R;
}

interface ShareData<D> {
  readonly [SHARE]: true;
  readonly outdir: string;
  readonly data: D;
  readonly from: number;
  readonly to: number;
}

interface ShareMessage<R> {
  readonly manifest: Record<string, unknown>;
  readonly result: R;
}

/** What a worker posts: its share, or the error that stopped it (with its stack, as one thread would print it). */
type WorkerMessage<R> = { readonly share: ShareMessage<R> } | { readonly error: { readonly message: string; readonly stack?: string } };

/** Whether this thread is a synthesis worker (then `synthesizeShare` is all it does). */
export function isSynthWorker(): boolean {
  return !isMainThread && typeof workerData === "object" && workerData !== null && (workerData as Record<string, unknown>)[SHARE] === true;
}

/**
 * Synthesizes every unit into `app.outdir`: the first share here, the others in worker threads
 * (when the runner can start them and the units repay them), then writes the manifest of every
 * stack. Returns what `finish` made of each share, in order, and the threads used. A share that
 * fails fails the whole (the manifest is not written).
 */
export async function synthesizeInThreads<D, S, R>(options: ThreadedSynth<D, S, R>): Promise<{ results: R[]; threads: number }> {
  const runner = (globalThis as Record<symbol, { file: string; args: string[] } | undefined>)[RUNNER];
  const cut = runner ? shares(options.count, options.threads) : [[0, options.count] as [number, number]];
  const workers = cut.slice(1).map(([from, to]) => runShare<D, R>(runner!, { [SHARE]: true, outdir: options.app.outdir, data: options.data, from, to }));
  // Every rejection is seen, even the ones after the first.
  workers.forEach((w) => w.catch(() => undefined));
  const [from, to] = cut[0];
  const stacks = options.define(options.app, options.data, from, to);
  const mine = synthWithoutManifest(options.app, stacks, options.data, options.finish);
  const theirs = await Promise.all(workers);
  const manifest = options.app.manifest as unknown as { stacks: Record<string, unknown>; writeToFile(): void };
  for (const share of theirs) Object.assign(manifest.stacks, share.manifest);
  manifest.writeToFile();
  return { results: [mine.result, ...theirs.map((t) => t.result)], threads: cut.length };
}

/** In a synthesis worker: synthesizes the share workerData names and posts what the main thread needs. */
export function synthesizeShare<D, S, R>(define: ThreadedSynth<D, S, R>["define"], finish: ThreadedSynth<D, S, R>["finish"]): void {
  const share = workerData as ShareData<D>;
  let message: WorkerMessage<R>;
  try {
    const app = new App({ outdir: share.outdir });
    const stacks = define(app, share.data, share.from, share.to);
    message = { share: synthWithoutManifest(app, stacks, share.data, finish) };
  } catch (e) {
    message = { error: e instanceof Error ? { message: e.message, stack: e.stack } : { message: String(e) } };
  }
  parentPort!.postMessage(message);
}

/** `app.synth()`, but the manifest (only this thread's stacks) is returned rather than written. */
function synthWithoutManifest<D, S, R>(app: App, stacks: S[], data: D, finish: ThreadedSynth<D, S, R>["finish"]): ShareMessage<R> {
  const manifest = app.manifest as unknown as { stacks: Record<string, unknown>; writeToFile(): void };
  const write = manifest.writeToFile;
  manifest.writeToFile = () => undefined;
  try {
    app.synth();
  } finally {
    manifest.writeToFile = write;
  }
  return { manifest: { ...manifest.stacks }, result: finish(app, stacks, data) };
}

function runShare<D, R>(runner: { file: string; args: string[] }, share: ShareData<D>): Promise<ShareMessage<R>> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(runner.file, { argv: runner.args, workerData: share, stdout: false, stderr: false });
    // The message is the share's end: the worker is stopped then, whatever might keep it running.
    worker.once("message", (m: WorkerMessage<R>) => {
      if ("share" in m) resolve(m.share);
      else {
        const error = new Error(m.error.message);
        if (m.error.stack) error.stack = m.error.stack;
        reject(error);
      }
      void worker.terminate();
    });
    worker.once("error", reject);
    // Settles nothing when the message came first (a promise settles once).
    worker.once("exit", (code) => reject(new Error(`The synthesis worker of regions ${share.from + 1}-${share.to} exited with code ${code} before it finished.`)));
  });
}
