// Reads a VDI over Flotilla's NBD export with Xen Orchestra's own NBD client (@vates/nbd-client), as its backups
// do: connect with the address, port, export name and certificate VDI.get_nbd_info gave, then read 64 KiB blocks.
//   node nbd-test.mjs <address> <port> <exportname> <cert.pem> full <out-file> <size>
//     reads every block of a disk of <size> bytes into <out-file>;
//   node nbd-test.mjs <address> <port> <exportname> <cert.pem> blocks <i,j,...> <pattern byte, hex>
//     reads only the blocks listed (the changed ones) and checks each holds nothing but the pattern.
import { readFileSync, writeFileSync } from 'node:fs'
import NbdClient from '@vates/nbd-client'
import { check } from './common.mjs'

const [address, port, exportname, certFile, mode, ...rest] = process.argv.slice(2)
const BLOCK = 64 * 1024
const client = new NbdClient({ address, port: Number(port), exportname, cert: readFileSync(certFile, 'utf8') })
await client.connect()
try {
  if (mode === 'full') {
    const [out, size] = rest
    const blocks = Math.ceil(Number(size) / BLOCK)
    const parts = []
    for (let i = 0; i < blocks; i++) parts.push(await client.readBlock(i, BLOCK))
    writeFileSync(out, Buffer.concat(parts))
    check(parts.length === blocks, `read all ${blocks} blocks`)
  } else if (mode === 'blocks') {
    const [list, pattern] = rest
    const indexes = list.split(',').map(Number)
    const want = parseInt(pattern, 16)
    for (const i of indexes) {
      const data = await client.readBlock(i, BLOCK)
      check(data.length === BLOCK && data.every(b => b === want), `block ${i} holds the changed data`)
    }
  } else {
    throw new Error('unknown mode ' + mode)
  }
} finally {
  await client.disconnect()
}
console.log('NBD-CLIENT OK')
