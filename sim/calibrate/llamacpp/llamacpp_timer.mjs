// Times llama.cpp (the prebuilt CPU build of node-llama-cpp) on GGUF files for socsim's
// `validate-llamacpp`. One JSON request on the command line:
//   {"model": "f.gguf", "threads": 2, "context": 2048, "batch": 512, "warmup": 1, "repeats": 3,
//    "runs": [{"prompt": 64, "gen": 16}, ...]}
// For every repeat and run it evaluates `prompt` tokens as one prefill (logits and a greedy token
// for the last one, as llama.cpp's generation does) and then `gen - 1` decode steps of one token
// each (fed a fixed token sequence, logits and a greedy token each step), on a fresh sequence.
// Repeats are rounds over all runs, so a burst of interference from outside hits one repeat of
// several runs rather than every repeat of one.
// Prints one JSON line per measured repeat: {"run": i, "repeat": r, "prefill_s": t,
// "decode_s": [t1, t2, ...]}. Warm-up repeats are not printed. Exits 1 with a message on failure.
import { pathToFileURL } from "node:url";
import { join } from "node:path";

function fail(message) {
  process.stderr.write(`llamacpp_timer: ${message}\n`);
  process.exit(1);
}

const request = JSON.parse(process.argv[2] ?? fail("usage: llamacpp_timer.mjs JSON"));
const threads = request.threads ?? 1;
const entry = join(request.modules ?? fail("no 'modules' folder"), "node-llama-cpp/dist/index.js");
const { getLlama, LlamaLogLevel } = await import(pathToFileURL(entry).href);
const llama = await getLlama({
  gpu: false, build: "never", usePrebuiltBinaries: true, skipDownload: true,
  maxThreads: 0, logLevel: LlamaLogLevel.error, progressLogs: false,
});
const model = await llama.loadModel({
  modelPath: request.model, gpuLayers: 0, useMmap: request.mmap ?? true,
});
const maxPrompt = Math.max(...request.runs.map((r) => r.prompt));
const context = await model.createContext({
  contextSize: request.context ?? 2048, batchSize: request.batch ?? Math.max(512, maxPrompt),
  threads: { ideal: threads, min: threads }, sequences: 1, flashAttention: request.flash ?? false,
});
// Token ids above the specials and byte tokens (every socsim GGUF has at least 4,096 more).
const tokenAt = (i) => 259 + ((i * 7919) % 4096);
const next = { generateNext: { token: true } };

const now = () => Number(process.hrtime.bigint()) / 1e9;
const sequence = context.getSequence();
const warmup = request.warmup ?? 1;
for (let rep = 0; rep < warmup + (request.repeats ?? 3); ++rep) {
  for (let runIndex = 0; runIndex < request.runs.length; ++runIndex) {
    const run = request.runs[runIndex];
    await sequence.clearHistory();
    const prompt = [];
    for (let i = 0; i < run.prompt; ++i) prompt.push(tokenAt(i));
    const input = prompt.map((t, i) => (i === prompt.length - 1 ? [t, next] : t));
    let t0 = now();
    await sequence.controlledEvaluate(input);
    const prefill = now() - t0;
    const decode = [];
    for (let g = 1; g < run.gen; ++g) {
      t0 = now();
      await sequence.controlledEvaluate([[tokenAt(run.prompt + g), next]]);
      decode.push(now() - t0);
    }
    if (rep >= warmup)
      process.stdout.write(JSON.stringify({ run: runIndex, repeat: rep - warmup,
        prefill_s: prefill, decode_s: decode }) + "\n");
  }
}
await context.dispose();
await model.dispose();
await llama.dispose();
