// Administration through the API: API tokens (account managers and admin tokens) and awards
// (account managers for anyone, group managers for their members) — SPEC §5, §9.
#include <fmt/format.h>

#include "service/service.h"
#include "store/store.h"

namespace cohort::service {
namespace {

Status CheckAdmin(const Caller& caller) {
  if (caller.scopes.Allows(domain::Scope::kAdmin)) return Status();
  if (caller.person) return Status::NotFound("no such resource");
  return Status::Forbidden("this token's scopes do not include 'admin'");
}

bool IsGroupManager(const Caller& caller) {
  return caller.person && caller.person->roles.Has(domain::Role::kGroupManager);
}

Status UnknownAward(AwardId id) {
  return Status::NotFound(fmt::format("award {} is unknown", id.value));
}

}  // namespace

Result<std::vector<TokenInfo>> Service::ListTokens(const Caller& caller) {
  COHORT_RETURN_IF_ERROR(CheckAdmin(caller));
  Result<std::vector<store::TokenRecord>> stored = store_.ListTokens(caller.account);
  if (!stored.ok()) return stored.status();
  std::vector<TokenInfo> out;
  out.reserve(stored->size());
  for (store::TokenRecord& t : std::move(stored).value()) {
    out.push_back({t.id, std::move(t.name), t.scopes, t.created_at, t.revoked_at, t.last_used_at});
  }
  return out;
}

Result<NewToken> Service::CreateToken(const Caller& caller, std::string_view name,
                                      domain::ScopeSet scopes) {
  COHORT_RETURN_IF_ERROR(CheckAdmin(caller));
  return CreateToken(caller.account_key, name, scopes);
}

Status Service::RevokeToken(const Caller& caller, TokenId token_id) {
  COHORT_RETURN_IF_ERROR(CheckAdmin(caller));
  return store_.RevokeToken(caller.account, token_id, clock_.Now());
}

Result<AwardId> Service::GrantAward(const Caller& caller, const NewAward& award) {
  if (!IsGroupManager(caller)) COHORT_RETURN_IF_ERROR(CheckAdmin(caller));
  if (caller.person && !caller.person->MayAward(award.user)) {
    // Not one of their members: as unknown to them as a user that does not exist.
    const std::string reason = fmt::format("user '{}' is unknown", award.user);
    return Status::Invalid(reason, {{std::nullopt, "/user", reason}});
  }
  store::NewAward stored{award.user, award.course, award.title, award.note, std::nullopt};
  if (caller.person) stored.granted_by = caller.person->user_id;
  return store_.CreateAward(caller.account, stored, clock_.Now());
}

Status Service::RevokeAward(const Caller& caller, AwardId award_id) {
  if (!IsGroupManager(caller)) COHORT_RETURN_IF_ERROR(CheckAdmin(caller));
  if (caller.person && !caller.person->roles.Has(domain::Role::kAccountManager)) {
    Result<store::AwardRecord> found = store_.FindAward(caller.account, award_id);
    if (!found.ok()) return found.status();
    if (!caller.person->MayAward(found->user)) return UnknownAward(award_id);
  }
  return store_.RevokeAward(caller.account, award_id, clock_.Now());
}

}  // namespace cohort::service
