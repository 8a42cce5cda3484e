// Xen Orchestra's full backup of a VM, as @xen-orchestra/xapi's VM_export runs it for a running VM: a snapshot (no
// longer a template, as VM_snapshot leaves it), the snapshot exported by ref as an XVA with use_compression=zstd (XO's
// default for full backups) under a task, the snapshot destroyed with its disks; then the package imported back
// (PUT /import/, as a restore does).
// Usage: node full-backup-test.mjs <url> <user> <password> <vm-ref> <sr-ref> <xva-file>
// Writes the package to <xva-file> for the caller to look into, prints FULL-BACKUP-TEST OK <new vm ref> <bytes> last.
import { createClient } from 'xen-api'
import { writeFileSync } from 'node:fs'
import { readAll } from './common.mjs'

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'
const [url, user, password, vmRef, srRef, xvaFile] = process.argv.slice(2)

const xapi = createClient({ url, allowUnauthorized: true, auth: { user, password } })
try {
  await xapi.connect()
  const name = await xapi.call('VM.get_name_label', vmRef)
  const snapshot = await xapi.call('VM.snapshot', vmRef, '[XO Export] ' + name)
  // as VM_snapshot does: a snapshot is a template, which an XVA would bring back as one
  await xapi.call('VM.set_is_a_template', snapshot, false)
  console.log('ok - snapshot ' + snapshot)

  const response = await xapi.getResource('/export/', { query: { ref: snapshot, use_compression: 'zstd' }, task: true })
  const xva = await readAll(response.body)
  await response.task
  writeFileSync(xvaFile, xva)
  console.log('ok - exported ' + xva.length + ' bytes')

  // what VM_destroy does with a snapshot: its disks, then the VM
  const disks = []
  for (const vbd of await xapi.call('VM.get_VBDs', snapshot)) {
    const vdi = await xapi.call('VBD.get_VDI', vbd)
    if (vdi !== 'OpaqueRef:NULL' && (await xapi.call('VBD.get_type', vbd)) === 'Disk') disks.push(vdi)
  }
  await xapi.call('VM.destroy', snapshot)
  for (const vdi of disks) await xapi.call('VDI.destroy', vdi)
  console.log('ok - snapshot destroyed with ' + disks.length + ' disk(s)')

  const result = await xapi.putResource(xva, '/import/', { query: { sr_id: srRef }, task: true })
  const imported = String(result).match(/OpaqueRef:[-0-9a-f]+/)[0]
  console.log('FULL-BACKUP-TEST OK ' + imported + ' ' + xva.length)
} finally {
  await xapi.disconnect()
}
