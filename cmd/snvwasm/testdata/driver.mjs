// Test driver for node_test.go: loads the module through snv.js and
//   cases WASM WASM_EXEC CASES_JSON      runs every case, prints results as JSON
//   bench WASM WASM_EXEC PROOF H HASH    verifies one proof N times per line N on stdin
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';

const [mode, wasmPath, execPath, ...rest] = process.argv.slice(2);
await import(pathToFileURL(execPath).href);
const { loadVerifier, SNVError } = await import('../snv.js');
const v = await loadVerifier(readFileSync(wasmPath));

if (mode === 'cases') {
  const cases = JSON.parse(readFileSync(rest[0], 'utf8'));
  const out = [];
  for (const c of cases) {
    try {
      const r = c.fn === 'proof'
        ? v.verifyProof(c.proof, c.height, c.hash)
        : c.fn === 'answer-object'
          ? v.verifyNameAnswer({ ...JSON.parse(c.answer), name: c.name }, c.proof, c.height, c.hash)
          : v.verifyNameAnswer(c.answer, c.proof, c.height, c.hash, c.name);
      out.push({ id: c.id, ok: true, result: r });
    } catch (e) {
      if (!(e instanceof SNVError)) throw e;
      out.push({ id: c.id, ok: false, code: e.code, step: e.step, stepIndex: e.stepIndex, message: e.message });
    }
  }
  process.stdout.write(JSON.stringify(out));
} else if (mode === 'bench') {
  // Interleaved with the native rounds by node_test.go: each line "N" on
  // stdin runs N verifications and answers with the wall-clock and CPU
  // (process.cpuUsage) time per call, so
  // both sides are measured under the same load of a shared machine.
  const [proofPath, height, hash] = rest;
  const proof = readFileSync(proofPath, 'utf8');
  let steps = 0;
  for (let i = 0; i < 300; i++) steps = v.verifyProof(proof, height, hash).steps; // warm up (and let V8 tier the hot code up)
  process.stdout.write(JSON.stringify({ ready: true, steps }) + '\n');
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    const n = Number(line);
    const t0 = process.hrtime.bigint(), c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) v.verifyProof(proof, height, hash);
    const c = process.cpuUsage(c0);
    process.stdout.write(JSON.stringify({
      ns_per_op: Number(process.hrtime.bigint() - t0) / n,
      cpu_ns_per_op: (c.user + c.system) * 1000 / n,
    }) + '\n');
  }
} else {
  throw new Error(`unknown mode ${mode}`);
}
