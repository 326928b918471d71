/**
 * The submit form: a batch script and the common fields of POST /v1/jobs, sent with an
 * Idempotency-Key made for this form, so pressing Submit again after a lost answer cannot make a
 * second job. "Check only" asks Slurm whether and where it would run (validate: true).
 */
import { h, select, say } from './dom.js';
import { api } from './api.js';
import { time } from './format.js';

const SCRIPT = '#!/bin/bash\n# runs in your home directory unless you name another\necho "hello from $(hostname)"\nsleep 30\n';
const NUMBERS = [['time_limit', 'Time limit (minutes)'], ['nodes', 'Nodes'], ['ntasks', 'Tasks'], ['cpus_per_task', 'CPUs per task'], ['memory_per_node', 'Memory per node (MiB)']];
const TEXTS = [['working_directory', 'Working directory (absolute path)'], ['account', 'Account'], ['comment', 'Comment']];

export function render(container, app) {
  let key = crypto.randomUUID();
  const message = h('div', { role: 'status', 'aria-live': 'polite', class: 'message' });
  const script = h('textarea', { id: 's-script', rows: '10', spellcheck: 'false', required: true, 'aria-describedby': 's-script-err' }, SCRIPT);
  const name = h('input', { id: 's-name', type: 'text', autocomplete: 'off', 'aria-describedby': 's-name-err' });
  const partitionSlot = h('span');
  const inputs = { script, name };
  const field = (id, label, input) => h('div', { class: 'field' }, h('label', { for: `s-${id}` }, label), input, h('span', { id: `s-${id}-err`, class: 'field-error' }));
  for (const [id] of [...NUMBERS, ...TEXTS]) inputs[id] = h('input', { id: `s-${id}`, type: NUMBERS.some(([n]) => n === id) ? 'number' : 'text', min: '1', autocomplete: 'off', 'aria-describedby': `s-${id}-err` });
  const hold = h('input', { id: 's-hold', type: 'checkbox' });
  const form = h('form', { id: 'submit-form', onsubmit: (e) => { e.preventDefault(); send(false); } },
    field('script', 'Batch script', script),
    h('div', { class: 'grid' },
      field('name', 'Job name', name),
      field('partition', 'Partition', partitionSlot),
      ...NUMBERS.map(([id, label]) => field(id, label, inputs[id])),
      ...TEXTS.map(([id, label]) => field(id, label, inputs[id]))),
    h('div', { class: 'field check' }, hold, h('label', { for: 's-hold' }, 'Submit held (release it later)')),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Submit job'), h('button', { type: 'button', onclick: () => send(true) }, 'Check only')),
  );
  container.append(h('h1', { tabindex: '-1' }, 'Submit a job'), form, message);

  function partitions() {
    const names = [...app.partitions.values()].map((p) => [p.name, p.default ? `${p.name} (default)` : p.name]);
    const current = partitionSlot.firstChild?.value ?? '';
    partitionSlot.replaceChildren(select('s-partition', [['', 'default'], ...names], current));
    partitionSlot.firstChild.setAttribute('aria-describedby', 's-partition-err');
    inputs.partition = partitionSlot.firstChild;
  }

  function body() {
    const b = { script: script.value.replace(/\r\n/g, '\n') };
    if (name.value) b.name = name.value;
    if (inputs.partition?.value) b.partition = inputs.partition.value;
    for (const [id] of NUMBERS) if (inputs[id].value !== '') b[id] = Number(inputs[id].value);
    for (const [id] of TEXTS) if (inputs[id].value !== '') b[id] = inputs[id].value;
    if (hold.checked) b.hold = true;
    return b;
  }

  async function send(check) {
    for (const e of form.querySelectorAll('.field-error')) e.textContent = '';
    for (const e of form.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
    say(message, check ? 'Asking Slurm…' : 'Submitting…');
    try {
      if (check) {
        const r = await api('POST', 'jobs', { body: { ...body(), validate: true } });
        say(message, r.will_run ? `Would run${r.start_time ? ` from ${time(r.start_time)}` : ''}${r.nodes ? ` on ${r.nodes}` : ''}${r.partition ? ` in ${r.partition}` : ''}.` : `Would not run: ${r.reason ?? 'no reason given'}`, r.will_run ? 'ok' : 'warn');
        return;
      }
      const { job_id: id } = await api('POST', 'jobs', { body: body(), headers: { 'Idempotency-Key': key } });
      key = crypto.randomUUID(); // the next submission is a new job
      message.className = 'message ok';
      message.replaceChildren('Submitted job ', h('a', { href: `#/jobs/${id}` }, String(id)), '.');
    } catch (error) {
      say(message, `Not submitted: ${error.message}`, 'error');
      for (const issue of error.details?.issues ?? []) {
        const slot = form.querySelector(`#s-${CSS.escape(String(issue.field).split('.')[0])}-err`);
        if (!slot) continue;
        slot.textContent = issue.message;
        slot.previousElementSibling?.setAttribute?.('aria-invalid', 'true');
      }
    }
  }

  partitions();
  let seen = app.resourcesVersion;
  return { update: () => { if (seen !== app.resourcesVersion) { seen = app.resourcesVersion; partitions(); } }, close() {} };
}
