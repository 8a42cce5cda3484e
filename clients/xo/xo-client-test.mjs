// Drives a Flotilla host with Xen Orchestra's own xen-api client, the way Xen Orchestra does.
// Usage: node xo-client-test.mjs <url> <user> <password> <json-rpc|xml-rpc> [vm-uuid-to-start]
// Prints one line per check and exits non-zero on the first failure.
import { createClient } from 'xen-api'

// The test host's certificate is self-signed, as on a fresh XenServer; the console is fetched with Node's fetch.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'

const [url, user, password, transport, vmUuid] = process.argv.slice(2)
const deadline = (ms, what) =>
  new Promise((_, reject) => setTimeout(() => reject(new Error('timed out: ' + what)), ms).unref())
const within = (ms, what, promise) => Promise.race([promise, deadline(ms, what)])

function check(condition, what) {
  if (!condition) throw new Error('check failed: ' + what)
  console.log('ok -', what)
}

// Resolves once predicate(objects) holds, re-checking on every batch of events the client applies.
function waitForObjects(xapi, predicate, what, ms = 10000) {
  return within(
    ms,
    what,
    new Promise(resolve => {
      const test = () => {
        if (predicate(xapi.objects.all)) {
          xapi.objects.removeListener('add', test)
          xapi.objects.removeListener('update', test)
          console.log('ok -', what)
          resolve()
        }
      }
      xapi.objects.on('add', test)
      xapi.objects.on('update', test)
      test()
    })
  )
}

const xapi = createClient({ url, allowUnauthorized: true, auth: { user, password }, transport })
try {
  await within(15000, 'connect', xapi.connect())
  check(xapi.status === 'connected', 'connected over ' + transport)
  const all = () => Object.values(xapi.objects.all)
  await waitForObjects(xapi, objs => Object.values(objs).some(o => o.$type === 'pool'), 'pool in the object cache')
  await waitForObjects(xapi, objs => Object.values(objs).some(o => o.$type === 'host'), 'host in the object cache')
  const host = all().find(o => o.$type === 'host')
  const pool = all().find(o => o.$type === 'pool')
  check(pool.master === host.$ref, 'pool.master is the host')
  check(host.API_version_major >= 2, 'host API version ' + host.API_version_major + '.' + host.API_version_minor)
  await waitForObjects(xapi, objs => Object.values(objs).some(o => o.$type === 'VM' && o.is_control_domain), 'control domain VM')

  const label = 'renamed by xen-api ' + transport + ' ' + Date.now()
  await xapi.call('host.set_name_description', host.$ref, label)
  await waitForObjects(xapi, objs => objs[host.$id]?.name_description === label, 'field change arrives as an event')

  const updates = await within(10000, 'callAsync', xapi.callAsync('host.call_plugin', host.$ref, 'updater.py', 'check_update', {}))
  check(updates === '[]', 'Async call result read from its task: ' + JSON.stringify(updates))

  // Xen Orchestra's stats as xo-server asks for them: getResource makes a task (task.create), names it in task_id,
  // waits for its end through events (res.task) and then destroys it
  const rrdLabel = 'Xapi#getResource /rrd_updates'
  const res = await within(15000, 'getResource /rrd_updates', xapi.getResource('/rrd_updates', {
    query: { cf: 'AVERAGE', host: 'true', interval: 5, json: 'true', start: Math.floor(Date.now() / 1000) - 595 },
  }))
  const stats = JSON.parse(await res.body.text())
  check(Array.isArray(stats.meta?.legend) && stats.meta.legend.length > 0, 'getResource /rrd_updates: JSON with ' + stats.meta?.legend?.length + ' series')
  check(res.task !== undefined, 'getResource /rrd_updates ran under a task of its own')
  await within(10000, 'the /rrd_updates task', res.task)
  console.log('ok - getResource /rrd_updates: its task ended in success')
  await within(10000, 'the /rrd_updates task destroyed', (async () => {
    while (all().some(o => o.$type === 'task' && o.name_label === rrdLabel)) await new Promise(resolve => setTimeout(resolve, 100))
  })())
  console.log('ok - getResource /rrd_updates: the client destroyed its task')

  try {
    await xapi.call('VM.get_record', 'OpaqueRef:00000000-0000-0000-0000-000000000000')
    check(false, 'an invalid ref must fail')
  } catch (error) {
    check(error.code === 'HANDLE_INVALID', 'invalid ref fails with ' + error.code)
  }

  if (vmUuid) {
    await waitForObjects(xapi, () => xapi.getObjectByUuid(vmUuid, null) !== null, 'the test VM in the object cache')
    const vm = xapi.getObjectByUuid(vmUuid)
    const powerState = state => objs => objs[vm.$id]?.power_state === state
    await within(60000, 'VM.start', xapi.callAsync('VM.start', vm.$ref, false, false))
    await waitForObjects(xapi, powerState('Running'), 'VM.start: Running arrives as an event', 30000)
    await within(30000, 'VM.pause', xapi.callAsync('VM.pause', vm.$ref))
    await waitForObjects(xapi, powerState('Paused'), 'VM.pause: Paused arrives as an event', 30000)
    await within(30000, 'VM.unpause', xapi.callAsync('VM.unpause', vm.$ref))
    await waitForObjects(xapi, powerState('Running'), 'VM.unpause: Running arrives as an event', 30000)
    // A clean shutdown needs a guest that listens for the power button: read its serial console until it is up.
    // the serial console (vt100); the rfb one beside it is the VGA display, reached by CONNECT or a WebSocket
    const isSerialConsole = o => o.$type === 'console' && o.VM === vm.$ref && o.protocol === 'vt100'
    await waitForObjects(xapi, objs => Object.values(objs).some(isSerialConsole), 'the VM has a serial console')
    const location = new URL(all().find(isSerialConsole).location)
    const consoleUrl = new URL(location.pathname + location.search, url)
    consoleUrl.searchParams.set('session_id', xapi.sessionId)
    await within(30000, 'guest up on its console', (async () => {
      for (;;) {
        const text = await (await fetch(consoleUrl)).text()
        if (text.includes('FLOTILLA-GUEST up')) return
        await new Promise(resolve => setTimeout(resolve, 200))
      }
    })())
    console.log('ok - the guest is up on its serial console, read over HTTPS with the session')
    await within(60000, 'VM.clean_shutdown', xapi.callAsync('VM.clean_shutdown', vm.$ref))
    await waitForObjects(xapi, powerState('Halted'), 'VM.clean_shutdown: Halted arrives as an event', 30000)
    try {
      await xapi.call('VM.unpause', vm.$ref)
      check(false, 'unpause of a halted VM must fail')
    } catch (error) {
      check(error.code === 'VM_BAD_POWER_STATE', 'unpause of a halted VM fails with ' + error.code + ' ' + JSON.stringify(error.params))
    }
  }
  await xapi.disconnect()
  console.log('XO-CLIENT OK')
  process.exit(0)
} catch (error) {
  console.error('XO-CLIENT FAILED:', error)
  process.exit(1)
}
