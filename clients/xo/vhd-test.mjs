// Streams a disk through Flotilla's /import_raw_vdi and /export_raw_vdi as Xen Orchestra does: its xen-api client's
// putResource/getResource under tasks of their own, and vhd-lib to write the VHD sent and to read the VHD received.
// Usage: node vhd-test.mjs <url> <user> <password> <vdi-ref> <vdi-size>
// Prints one line per check and exits non-zero on the first failure.
import { createClient } from 'xen-api'
import vhdLib from 'vhd-lib'
import { check, filesHandler, readAll } from './common.mjs'
import { Readable } from 'node:stream'
import { randomBytes } from 'node:crypto'

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'
const { createReadableSparseStream, createContentStream, default: Vhd } = vhdLib
const [url, user, password, vdi, sizeText] = process.argv.slice(2)
const size = Number(sizeText)
const BLOCK = 2 * 1024 * 1024
const FRAGMENT = 64 * 1024

const xapi = createClient({ url, allowUnauthorized: true, auth: { user, password } })
try {
  await xapi.connect()

  // what the disk held before: 0xAA everywhere, written raw
  const before = Buffer.alloc(size, 0xaa)
  const rawResult = await xapi.putResource(before, '/import_raw_vdi/', { query: { vdi, format: 'raw' }, task: true })
  check(rawResult === vdi || rawResult?.$ref === vdi || String(rawResult).includes(vdi), 'raw import: its task ended in success with the VDI: ' + rawResult)

  // a sparse VHD made by vhd-lib: fragments in the first and the last 2 MiB blocks, none in between
  const fragments = [0, FRAGMENT * 3, size - BLOCK + FRAGMENT * 2].map(at => ({ logicalAddressBytes: at, data: randomBytes(FRAGMENT) }))
  const vhdStream = await createReadableSparseStream(size, FRAGMENT, fragments.map(f => f.logicalAddressBytes), fragments)
  check(typeof vhdStream.length === 'number', 'vhd-lib made a VHD stream of ' + vhdStream.length + ' bytes')
  await xapi.putResource(vhdStream, '/import_raw_vdi/', { query: { vdi, format: 'vhd' }, task: true })
  console.log('ok - VHD import: its task ended in success')

  // expected: a dynamic VHD's allocated blocks replace the disk's whole blocks; the others keep what they held
  const expected = Buffer.from(before)
  for (const b of new Set(fragments.map(f => Math.floor(f.logicalAddressBytes / BLOCK)))) expected.fill(0, b * BLOCK, Math.min(size, (b + 1) * BLOCK))
  for (const f of fragments) f.data.copy(expected, f.logicalAddressBytes)

  const raw = await xapi.getResource('/export_raw_vdi/', { query: { vdi, format: 'raw' }, task: true })
  const rawBytes = await readAll(raw.body)
  await raw.task
  check(rawBytes.length === size, 'raw export: ' + rawBytes.length + ' bytes, the virtual size')
  check(rawBytes.equals(expected), 'raw export: byte for byte the VHD written over the 0xAA disk (untouched block kept)')

  const vhd = await xapi.getResource('/export_raw_vdi/', { query: { vdi, format: 'vhd' }, task: true })
  const vhdBytes = await readAll(vhd.body)
  await vhd.task
  const handler = filesHandler({ 'export.vhd': vhdBytes })
  const parsed = new Vhd(handler, 'export.vhd')
  await parsed.readHeaderAndFooter() // checks cookies and both checksums
  await parsed.readBlockAllocationTable()
  check(parsed.footer.diskType === 3, 'VHD export: a dynamic disk, footer and header checksums right')
  check(parsed.footer.currentSize === size, 'VHD export: current size ' + parsed.footer.currentSize)
  const allocated = []
  for (let i = 0; i < parsed.header.maxTableEntries; i++) if (parsed.containsBlock(i)) allocated.push(i)
  check(allocated.length === Math.ceil(size / BLOCK), 'VHD export: blocks ' + allocated.join(',') + ' (the disk held data everywhere)')
  const content = await readAll(await createContentStream(handler, 'export.vhd'))
  check(content.subarray(0, size).equals(expected), 'VHD export read back by vhd-lib: byte for byte the disk')
  console.log('VHD-TEST OK ' + vhdBytes.length)
} finally {
  await xapi.disconnect()
}
