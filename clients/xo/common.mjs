// What the client scripts share: a check that prints its line or throws, a stream read whole, and a file-system
// handler over buffers already received, through which vhd-lib reads VHDs by name.

export function check(condition, what) {
  if (!condition) throw new Error('check failed: ' + what)
  console.log('ok -', what)
}

export async function readAll(stream) {
  const chunks = []
  for await (const chunk of stream) chunks.push(chunk)
  return Buffer.concat(chunks)
}

export function filesHandler(files) {
  return {
    async read(file, into, position) {
      const n = files[file].copy(into, 0, position, position + into.length)
      return { bytesRead: n, buffer: into }
    },
    async getSize(file) { return files[file].length },
    async openFile(file) { return file },
    async closeFile() {},
  }
}
