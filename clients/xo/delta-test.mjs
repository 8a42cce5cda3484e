// Xen Orchestra's incremental backup, its two halves as its code runs them, against Flotilla's disk streams: a full VHD
// export of the first snapshot, a delta export of the second with base= the first (@xen-orchestra/xapi vdi.mjs
// exportContent), both parsed by vhd-lib; then a restore two ways: vhd-lib's synthetic stream of the chain
// (full + delta, as a restore from a remote reads it) into one new VDI, and the full then the delta VHD imported
// one after the other into another (as continuous replication updates its replica: importContent, format vhd).
// Usage: node delta-test.mjs <url> <user> <password> <snapshot 1> <snapshot 2> <new vdi A> <new vdi B> <size>
// Prints one line per check, the sizes on a DELTA-TEST OK line, and exits non-zero on the first failure.
import { createClient } from 'xen-api'
import vhdLib from 'vhd-lib'
import { check, filesHandler, readAll } from './common.mjs'

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'
const { createSyntheticStream, default: Vhd } = vhdLib
const [url, user, password, snap1, snap2, restoredA, restoredB, sizeText] = process.argv.slice(2)
const size = Number(sizeText)

async function parsed(handler, name) {
  const vhd = new Vhd(handler, name)
  await vhd.readHeaderAndFooter() // cookies, both checksums, both footers alike
  await vhd.readBlockAllocationTable()
  const blocks = []
  for (let i = 0; i < vhd.header.maxTableEntries; i++) if (vhd.containsBlock(i)) blocks.push(i)
  return { vhd, blocks }
}

async function exported(query) {
  const response = await xapi.getResource('/export_raw_vdi/', { query, task: true })
  const bytes = await readAll(response.body)
  await response.task
  return bytes
}

const xapi = createClient({ url, allowUnauthorized: true, auth: { user, password } })
try {
  await xapi.connect()
  const uuid1 = await xapi.call('VDI.get_uuid', snap1)

  const full = await exported({ vdi: snap1, format: 'vhd' })
  const delta = await exported({ vdi: snap2, format: 'vhd', base: snap1 })
  // the delta names its parent by the base's uuid: stored under that name, vhd-lib follows the chain
  const files = { [uuid1 + '.vhd']: full, 'delta.vhd': delta }
  const handler = filesHandler(files)
  const f = await parsed(handler, uuid1 + '.vhd')
  check(f.vhd.footer.diskType === 3, 'full export: a dynamic disk of ' + f.blocks.length + ' blocks')
  const d = await parsed(handler, 'delta.vhd')
  check(d.vhd.footer.diskType === 4, 'delta export: a differencing disk')
  check(d.vhd.footer.currentSize === size, 'delta export: current size ' + d.vhd.footer.currentSize)
  check(d.vhd.header.parentUnicodeName === uuid1 + '.vhd', 'delta export: its parent is ' + d.vhd.header.parentUnicodeName)
  console.log('DELTA-BLOCKS ' + d.blocks.join(','))

  // restore from a remote: the chain merged by vhd-lib into one stream, written into a new VDI
  const synthetic = await createSyntheticStream(handler, 'delta.vhd')
  const merged = await readAll(synthetic)
  await xapi.putResource(merged, '/import_raw_vdi/', { query: { vdi: restoredA, format: 'vhd' }, task: true })
  console.log('ok - the chain as vhd-lib merges it imported')

  // continuous replication: the full, then the delta on top of it
  await xapi.putResource(full, '/import_raw_vdi/', { query: { vdi: restoredB, format: 'vhd' }, task: true })
  await xapi.putResource(delta, '/import_raw_vdi/', { query: { vdi: restoredB, format: 'vhd' }, task: true })
  console.log('ok - the full then the delta imported')

  const expected = await exported({ vdi: snap2, format: 'raw' })
  check((await exported({ vdi: restoredA, format: 'raw' })).equals(expected), 'restored from the merged chain: byte for byte the second snapshot')
  check((await exported({ vdi: restoredB, format: 'raw' })).equals(expected), 'replicated full + delta: byte for byte the second snapshot')
  console.log('DELTA-TEST OK full=' + full.length + ' delta=' + delta.length)
} finally {
  await xapi.disconnect()
}
