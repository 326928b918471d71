/** How values read on screen. */
export function time(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Minutes as Slurm prints a time limit (days-hh:mm:ss); null is unlimited. */
export function minutes(value) {
  if (value === null || value === undefined) return 'unlimited';
  const days = Math.floor(value / 1440);
  const hh = Math.floor((value % 1440) / 60);
  const mm = value % 60;
  const clock = `${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:00`;
  return days ? `${days}-${clock}` : clock;
}

export function seconds(value) {
  if (value === null || value === undefined) return '';
  return minutes(Math.floor(value / 60)).replace(/:00$/, `:${String(value % 60).padStart(2, '0')}`);
}

export function bytes(value) {
  if (value === null || value === undefined) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let n = value;
  let unit = 0;
  while (n >= 1024 && unit < units.length - 1) { n /= 1024; unit += 1; }
  return `${n.toFixed(unit ? 1 : 0)} ${units[unit]}`;
}

export const mib = (value) => (value === null || value === undefined ? '' : bytes(value * 1024 * 1024));
