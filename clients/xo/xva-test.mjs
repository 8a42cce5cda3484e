// Writes a VM into Flotilla's /import as Xen Orchestra does: @xen-orchestra/xva's importVm builds the XVA (its own
// ova.xml and 1 MiB chunks with xxhash sums) and streams it with the xen-api client's putResource under a task.
// Usage: node xva-test.mjs <url> <user> <password> <sr-ref> <network-ref> <disk-size> <kernel> <ramdisk> <args> <disk-file>
// Then exports the VM as Xen Orchestra's VM export does (GET /export/ by ref, gzip) and lists the package's entries.
// Writes the disk's bytes to <disk-file> for the caller to compare and prints XVA-TEST OK <vm ref> last.
import { createClient } from 'xen-api'
import { importVm } from '@xen-orchestra/xva/importVm.mjs'
import { Readable } from 'node:stream'
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'
const [url, user, password, srRef, networkRef, sizeText, kernel, ramdisk, args, diskFile] = process.argv.slice(2)
const size = Number(sizeText)
const MIB = 1024 * 1024

function* pieces(buffer) {
  for (let at = 0; at < buffer.length; at += 64 * 1024) yield buffer.subarray(at, at + 64 * 1024)
}

const xapi = createClient({ url, allowUnauthorized: true, auth: { user, password } })
try {
  await xapi.connect()
  // importVm takes @xen-orchestra/xapi's client, whose task_create is this call; xen-api's plain client lacks it
  xapi.task_create = nameLabel => xapi.call('task.create', nameLabel, '')
  // data in the first chunk and the fourth; the rest is zeros, which the package leaves out
  const disk = Buffer.alloc(size, 0)
  randomBytes(MIB).copy(disk, 0)
  randomBytes(MIB / 2).copy(disk, 3 * MIB + 4096)
  writeFileSync(diskFile, disk)
  // what importVm asks of a VHD: its size and its content as a stream
  const vhd = { footer: { currentSize: size }, rawContent: async () => Readable.from(pieces(disk), { objectMode: false }) }
  const sr = { ...(await xapi.call('SR.get_record', srRef)), $ref: srRef }
  const network = { ...(await xapi.call('network.get_record', networkRef)), $ref: networkRef }
  const vm = {
    name_label: 'written by xo',
    memory: 128 * MIB,
    nCpus: 1,
    firmware: 'bios',
    domain_type: 'pvh',
    HVM_boot_policy: '',
    PV_kernel: kernel,
    PV_ramdisk: ramdisk,
    PV_args: args,
    networks: [{ macAddress: '', isGenerated: true }],
    vdis: [{ name_label: 'xo disk', name_description: 'from @xen-orchestra/xva', virtual_size: size }],
    vhds: [vhd],
  }
  const ref = await importVm(vm, xapi, sr, network)
  console.log('ok - imported as ' + ref)

  // and out again as Xen Orchestra's VM export asks for it: /export/ by ref, gzip, under a task
  const exported = await xapi.getResource('/export/', { query: { ref, use_compression: 'true' }, task: true })
  const chunks = []
  for await (const chunk of exported.body) chunks.push(chunk)
  await exported.task
  const tar = gunzipSync(Buffer.concat(chunks))
  if (tar.subarray(0, 7).toString() !== 'ova.xml') throw new Error('the export does not start with ova.xml')
  const names = []
  for (let at = 0; at + 512 <= tar.length && tar[at] !== 0; ) {
    names.push(tar.subarray(at, at + 100).toString().replace(/\0.*$/s, ''))
    at += 512 + Math.ceil(parseInt(tar.subarray(at + 124, at + 136).toString(), 8) / 512) * 512
  }
  console.log('ok - exported: ' + names.join(' '))
  console.log('XVA-TEST OK ' + ref)
} finally {
  await xapi.disconnect()
}
