#!/usr/bin/env node
// verify.mjs: check an SNV proof file with the WebAssembly verifier.
//
//   node cmd/snvwasm/verify.mjs snv.wasm PROOF_FILE HEIGHT:HASH
//
// Exit 0: the proof verifies from the trusted height and consensus hash
// (what it proves is printed as JSON on stdout). Exit 1: it does not (the
// reason on stderr). Exit 2: unusable input (arguments, unreadable files,
// a proof that cannot be decoded, a malformed trusted pair).
//
// wasm_exec.js, which must come from the Go toolchain that built the
// module, is looked for in $SNV_WASM_EXEC, next to the module, next to
// this script, and in $(go env GOROOT)/lib/wasm or misc/wasm.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';

function usage(msg) {
  process.stderr.write(`verify.mjs: ${msg}\nusage: node verify.mjs snv.wasm PROOF_FILE HEIGHT:HASH\n`);
  process.exit(2);
}

function findWasmExec(wasmPath) {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [];
  if (process.env.SNV_WASM_EXEC) candidates.push(process.env.SNV_WASM_EXEC);
  candidates.push(join(dirname(wasmPath), 'wasm_exec.js'), join(here, 'wasm_exec.js'));
  const found = candidates.find((p) => existsSync(p));
  if (found) return found;
  try {
    const root = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
    return [join(root, 'lib', 'wasm', 'wasm_exec.js'), join(root, 'misc', 'wasm', 'wasm_exec.js')]
      .find((p) => existsSync(p));
  } catch {
    return undefined; // no Go toolchain
  }
}

const args = process.argv.slice(2);
if (args.length !== 3) usage('want 3 arguments');
const [wasmPath, proofPath, trusted] = args;
const m = /^([0-9]+):([0-9a-f]{32})$/.exec(trusted);
if (!m) usage(`trusted pair ${JSON.stringify(trusted)} is not HEIGHT:HASH (32 lower-case hex digits)`);

let wasm, proof;
try {
  wasm = readFileSync(wasmPath);
  proof = readFileSync(proofPath);
} catch (e) {
  usage(e.message);
}
const execPath = findWasmExec(resolve(wasmPath));
if (!execPath) usage('wasm_exec.js not found (set SNV_WASM_EXEC)');
await import(pathToFileURL(execPath).href);
const { loadVerifier, SNVError } = await import('./snv.js');

let verifier;
try {
  verifier = await loadVerifier(wasm);
} catch (e) {
  usage(`cannot load ${wasmPath}: ${e.message}`);
}
try {
  const result = verifier.verifyProof(new Uint8Array(proof), m[1], m[2]);
  process.stdout.write(JSON.stringify({ valid: true, ...result }, null, 2) + '\n');
  process.exit(0);
} catch (e) {
  if (!(e instanceof SNVError)) throw e;
  process.stderr.write(`invalid proof: ${e.step}: ${e.message}\n`);
  process.exit(e.step === 'decode' || e.code === 'ErrTrustedHash' ? 2 : 1);
}
