// Whose figures a page shows, how fresh they are and in which zone its times are (issue 20
// point 4): the line under the top bar. From the session's `scope` and `zone`, and the
// Cohort-As-Of header of the view's answers. No DOM here, so that Node's tests can load it.

import * as fmt from './format.js';

const SHOWN_GROUPS = 5;

function plural(n, word) {
  return n === 1 ? word : `${word}s`;
}

// "The 163 members of your groups: Engineering, Sales" for a group manager (never "the
// account"); "Everyone in the account" for account managers and executives; "Your own figures"
// for a learner. Without `scope` (a server before it), from the roles alone.
export function scopeSentence(session) {
  const scope = session.scope;
  const roles = new Set(session.roles || []);
  const kind = scope ? scope.kind : roles.has('account_manager') || roles.has('executive')
    ? 'account' : roles.has('group_manager') ? 'groups' : 'self';
  if (kind === 'account') return 'Everyone in the account';
  if (kind === 'self') return 'Your own figures';
  if (!scope) return 'The members of your groups';
  const groups = scope.groups || [];
  if (groups.length === 0) return 'No one: you manage no group';
  const names = groups.slice(0, SHOWN_GROUPS).map((g) => g.name);
  const more = groups.length - names.length;
  const list = more > 0 ? `${names.join(', ')} and ${more} more` : names.join(', ');
  return `The ${fmt.int(scope.members)} ${plural(scope.members, 'member')} of your ` +
    `${plural(groups.length, 'group')}: ${list}`;
}

// "as of 10:42:07", with the day when it is not `today` ("YYYY-MM-DD" in the account's zone).
export function asOfText(asOf, today) {
  if (!asOf) return '';
  const day = fmt.date(asOf);
  return `as of ${day === today ? '' : `${day} `}${fmt.timeOfDay(asOf)}`;
}

// Today's date in `zone` ("YYYY-MM-DD"), or null when the browser does not know the zone.
export function todayIn(zone, now = new Date()) {
  try {
    const parts = new Intl.DateTimeFormat('en-CA', {timeZone: zone, year: 'numeric',
      month: '2-digit', day: '2-digit'}).formatToParts(now);
    const get = (type) => parts.find((p) => p.type === type).value;
    return `${get('year')}-${get('month')}-${get('day')}`;
  } catch {
    return null;
  }
}
