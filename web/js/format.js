// How figures are shown (SPEC §3: percentages with one decimal; times in the account's zone,
// exactly as the API writes them, so no browser time zone creeps in).

export const DASH = '—';

export function pct(x) {
  return x === null || x === undefined ? DASH : `${(x * 100).toFixed(1)}%`;
}

export function int(x) {
  return x === null || x === undefined ? DASH : Number(x).toLocaleString('en-GB');
}

// "2026-03-01T10:30:00.250+01:00" -> "2026-03-01 10:30"
export function dateTime(s) {
  if (!s) return DASH;
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(s);
  return m ? `${m[1]} ${m[2]}` : s;
}

// "2026-03-01 10:04:07": to the second (answer times, where the minute hides the order).
export function dateTimeSeconds(s) {
  if (!s) return DASH;
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(s);
  return m ? `${m[1]} ${m[2]}` : s;
}

export function date(s) {
  if (!s) return DASH;
  return s.slice(0, 10);
}

// Seconds -> "1 h 05 min", "4 min 30 s", "12 s", "0.5 s".
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return DASH;
  const s = Number(seconds);
  if (s < 10) return `${Math.round(s * 10) / 10} s`;
  const total = Math.round(s);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, '0')} min`;
  if (minutes > 0) return `${minutes} min ${String(secs).padStart(2, '0')} s`;
  return `${secs} s`;
}

export function yesNo(b) {
  return b ? 'Yes' : 'No';
}

// A badge key as a person reads it: "chapter-master:loops" -> "Chapter master: Loops", with the
// chapter's title from `chapterTitles` (a Map of key -> title) when it has one.
export function badgeName(key, chapterTitles = new Map()) {
  const [kind, rest] = key.split(/:(.*)/s);
  const names = {'chapter-master': 'Chapter master', flawless: 'Flawless', finisher: 'Finisher',
    'streak-5': '5-day streak'};
  const name = names[kind] || kind;
  return rest ? `${name}: ${chapterTitles.get(rest) || rest}` : name;
}
