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
// chapter's title when known: `chapterTitle` is that title (a string: the API's `chapter_title`
// of the badge) or a Map of chapter key -> title; without one, the chapter's key.
export function badgeName(key, chapterTitle = null) {
  const [kind, rest] = key.split(/:(.*)/s);
  const names = {'chapter-master': 'Chapter master', flawless: 'Flawless', finisher: 'Finisher',
    'streak-5': '5-day streak'};
  const name = names[kind] || kind;
  if (!rest) return name;
  const title = typeof chapterTitle === 'string' ? chapterTitle
    : chapterTitle instanceof Map ? chapterTitle.get(rest) : null;
  return `${name}: ${title || rest}`;
}

// A search's folding, as the API's (src/metrics/search_fold.h): ASCII letters to lower case,
// the Latin letters with diacritics of U+00C0–U+017F to their base letters (ß → ss, æ → ae,
// œ → oe, ...), combining marks U+0300–U+036F dropped, anything else kept as it is. So the
// tables the browser searches itself find "Lefèvre" for "lefevre", as the API does.
const FOLD_WHOLE = {'ß': 'ss', 'æ': 'ae', 'œ': 'oe', 'ĳ': 'ij', 'þ': 'th', 'ð': 'd', 'đ': 'd',
  'ħ': 'h', 'ı': 'i', 'ł': 'l', 'ŀ': 'l', 'ŉ': 'n', 'ŋ': 'n', 'ø': 'o', 'ŧ': 't', 'ĸ': 'k',
  'ſ': 's'};
export function fold(text) {
  return String(text).replace(/[A-Z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u017F]/g, (c) => {
    const lower = c.toLowerCase();
    return FOLD_WHOLE[lower] ?? lower.normalize('NFD').replace(/[\u0300-\u036F]/g, '');
  }).replace(/[\u0300-\u036F]/g, '');
}

// "2026-03-01T10:30:07.250+01:00" -> "10:30:07" (the time of day, in the API's zone).
export function timeOfDay(s) {
  if (!s) return DASH;
  const m = /T(\d{2}:\d{2}:\d{2})/.exec(s);
  return m ? m[1] : s;
}

// A course's threshold as its settings say it: 0.95 -> "95%", 0.875 -> "87.5%".
export function threshold(x) {
  return x === null || x === undefined ? DASH : `${Number((x * 100).toFixed(1))}%`;
}
