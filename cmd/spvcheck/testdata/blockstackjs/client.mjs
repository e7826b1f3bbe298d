// Drives blockstack.js 21.1.1 (npm package `blockstack`, pinned in
// package.json) the way an app does, for cmd/spvcheck's tests.
//
//   node --no-experimental-fetch client.mjs run BASE_URL TASKS.json
//     Points config.network.blockstackAPIUrl at BASE_URL and calls, in
//     order, the config.network function each task names (lookupProfile is
//     the library's own top-level function, which goes through
//     config.network.getNameInfo). Prints one JSON line per task:
//     {"i", "fn", "args", "ok": true, "result"} or {"i", "fn", "args",
//     "ok": false, "error", "code"}, code being blockstack.js's error code
//     where it gives one. Exit 0 once every task has been tried; a
//     failing call is an answer, not a script failure.
//
//   node --no-experimental-fetch client.mjs sign PRIVATE_KEY_HEX PROFILE.json
//     Prints the token file an owner would publish for PROFILE: a JSON
//     array holding wrapProfileToken(signProfileToken(PROFILE, key)).
//
// TASKS.json is a JSON array of {"fn": NAME, "args": [...]}. Results are
// printed as blockstack.js returns them, except that the BN amounts of
// prices become decimal strings.
//
// --no-experimental-fetch: blockstack.js 21.1.1's fetch wrapper passes
// referrer "no-referrer", which Node's built-in fetch (Node 18+) rejects;
// without the built-in, blockstack.js installs its bundled fetch
// (cross-fetch/polyfill), as it did on the Node versions it was made for.
import { readFileSync } from 'node:fs'
import blockstack from 'blockstack'

const NETWORK_FUNCTIONS = new Set([
  'getNameInfo', 'getNamePrice', 'getNamespacePrice', 'getNamespaceInfo',
  'getNamesOwned', 'getConsensusHash', 'getZonefile', 'broadcastZoneFile',
])

function plain(value) {
  if (value && typeof value === 'object') {
    if (typeof value.toString === 'function' && value.constructor && value.constructor.name === 'BN') {
      return value.toString(10)
    }
    if (Array.isArray(value)) {
      return value.map(plain)
    }
    const out = {}
    for (const [k, v] of Object.entries(value)) {
      out[k] = plain(v)
    }
    return out
  }
  return value
}

async function call(fn, args) {
  if (fn === 'lookupProfile') {
    return blockstack.lookupProfile(...args)
  }
  return blockstack.config.network[fn](...args)
}

async function run(base, tasksFile) {
  const tasks = JSON.parse(readFileSync(tasksFile, 'utf8'))
  if (!Array.isArray(tasks)) {
    throw new Error('tasks must be a JSON array')
  }
  for (const task of tasks) {
    if (task.fn !== 'lookupProfile' && !NETWORK_FUNCTIONS.has(task.fn)) {
      throw new Error(`unknown function ${task.fn}`)
    }
  }
  blockstack.config.network.blockstackAPIUrl = base
  for (const [i, task] of tasks.entries()) {
    const args = task.args || []
    const line = { i, fn: task.fn, args }
    try {
      line.result = plain(await call(task.fn, args))
      if (line.result === undefined) {
        line.result = null
      }
      line.ok = true
    } catch (err) {
      line.ok = false
      line.error = err && err.message ? err.message : String(err)
      if (err && err.code) {
        line.code = err.code // blockstack.js's error codes, e.g. remote_service_error
      }
    }
    process.stdout.write(JSON.stringify(line) + '\n')
  }
}

function sign(privateKeyHex, profileFile) {
  const profile = JSON.parse(readFileSync(profileFile, 'utf8'))
  const token = blockstack.signProfileToken(profile, privateKeyHex)
  process.stdout.write(JSON.stringify([blockstack.wrapProfileToken(token)]) + '\n')
}

const [mode, ...rest] = process.argv.slice(2)
// blockstack.js logs failed lookups at error level on stderr; keep stdout
// for the answers alone.
blockstack.config.logLevel = 'none'
try {
  if (mode === 'run' && rest.length === 2) {
    await run(rest[0], rest[1])
  } else if (mode === 'sign' && rest.length === 2) {
    sign(rest[0], rest[1])
  } else {
    process.stderr.write('usage: client.mjs run BASE_URL TASKS.json | sign PRIVATE_KEY_HEX PROFILE.json\n')
    process.exit(2)
  }
} catch (err) {
  process.stderr.write(`client.mjs: ${err && err.stack ? err.stack : err}\n`)
  process.exit(1)
}
