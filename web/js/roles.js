// What the signed-in person may open (SPEC §5), so that no link leads to a page they may not
// see. The server enforces the same rules (404 for anything else); this only shapes navigation.

export function sessionUser(session) {
  const u = session.user;
  if (u && typeof u === 'object') return {key: u.user || u.key || '', name: u.name || ''};
  return {key: String(u || ''), name: session.name || ''};
}

export function abilities(session) {
  const roles = new Set(session.roles || []);
  const me = sessionUser(session);
  const wholeAccount = roles.has('account_manager') || roles.has('executive');
  const groupManager = roles.has('group_manager');
  const manager = wholeAccount || groupManager;
  return {
    me: me.key,
    displayName: me.name || me.key,
    wholeAccount,
    groupManager: groupManager && !wholeAccount,
    learnerOnly: !manager,
    // Course pages, their user league and group summary: managers (a group manager's are
    // computed over the members of their groups).
    courseDetail: manager,
    groups: manager,
    // The account report: the whole account's for those who see it, a group manager's over
    // the members of their groups (the API scopes it).
    report: manager,
    canSeeUser: (user) => manager || user === me.key,
    // Awards are granted and revoked by account managers (anyone) and group managers (their
    // members, the only people whose pages they reach); executives change nothing (SPEC §5).
    mayAward: roles.has('account_manager') || groupManager,
    // A learner lands on their own progress; managers on the account's courses.
    landing: '#/courses',
  };
}
