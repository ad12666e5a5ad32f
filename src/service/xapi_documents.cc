// The xAPI document resources (xAPI 1.0.3 Communication §2.2–§2.7, §3.1; docs/xapi.md): State,
// Agent Profile and Activity Profile documents, stored per account as sent. Nothing derives
// from them, so they bypass the engine and the write queue: one store call each.
#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <mutex>

#include "domain/user.h"
#include "service/service.h"
#include "service/xapi_keys.h"
#include "store/store.h"
#include "xapi/statement.h"

namespace cohort::service {
namespace {

using xapi_keys::ActorHint;

// The document's ETag. xAPI 1.0.3 §3.1 asks for the SHA-1 hex of the body, but libsodium (our
// hashing library, STYLE.md §10) has no SHA-1; ETags are opaque to clients, who must send back
// the one the LRS gave (§3.1, client requirement 4), so a 160-bit BLAKE2b (crypto_generichash)
// in lower-case hex serves the same purpose.
std::string ETagOf(std::string_view body) {
  std::array<unsigned char, 20> digest{};
  crypto_generichash(digest.data(), digest.size(),
                     reinterpret_cast<const unsigned char*>(body.data()), body.size(), nullptr, 0);
  return xapi_keys::Hex(digest.data(), digest.size());
}

bool IsJson(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  while (!content_type.empty() && content_type.back() == ' ') content_type.remove_suffix(1);
  return content_type == "application/json";
}

Status PreconditionFailed(std::string message) {
  return Status::Conflict(std::move(message),
                          {ErrorDetail{std::nullopt, "", std::string(kPreconditionFailed)}});
}

// The precondition check of §3.1 against the stored document (or none).
Status CheckPreconditions(const DocumentPreconditions& p,
                          const std::optional<store::StoredDocument>& stored) {
  if (p.if_match) {
    const bool any = std::find(p.if_match->begin(), p.if_match->end(), "*") != p.if_match->end();
    const bool matches = stored && (any || std::find(p.if_match->begin(), p.if_match->end(),
                                                     stored->etag) != p.if_match->end());
    if (!matches) {
      return PreconditionFailed(stored ? "If-Match does not name the document's current ETag"
                                       : "If-Match was given but there is no such document");
    }
  }
  if (p.if_none_match_any && stored) {
    return PreconditionFailed("If-None-Match: * was given but the document exists");
  }
  return Status();
}

// The store's key for `ref`, the agent validated and reduced to its key. kMalformed for an
// invalid agent.
Result<store::DocumentKey> KeyOf(const DocumentRef& ref) {
  store::DocumentKey key;
  switch (ref.resource) {
    case DocumentResource::kState:
      key.kind = store::DocumentKind::kState;
      break;
    case DocumentResource::kAgentProfile:
      key.kind = store::DocumentKind::kAgentProfile;
      break;
    case DocumentResource::kActivityProfile:
      key.kind = store::DocumentKind::kActivityProfile;
      break;
  }
  if (ref.resource != DocumentResource::kAgentProfile) key.activity = ref.activity;
  if (ref.resource != DocumentResource::kActivityProfile) {
    Result<std::string> agent = xapi::AgentKey(ref.agent);
    if (!agent.ok()) return agent.status();
    key.agent = std::move(agent).value();
  }
  if (ref.resource == DocumentResource::kState && ref.registration) {
    if (!xapi::IsUuid(*ref.registration)) {
      return Status::Malformed(
          fmt::format("registration must be a UUID, not '{}'", *ref.registration));
    }
    key.registration = xapi::LowerUuid(*ref.registration);
  }
  key.id = ref.id;
  return key;
}

}  // namespace

Result<Document> Service::GetDocument(const Caller& caller, const DocumentRef& ref) {
  if (!caller.scopes.Allows(domain::Scope::kRead)) return Denied(caller, "read");
  if (!store_.StoresStatements()) return Status::Unavailable(std::string(store::kNoStatementsHere));
  Result<store::DocumentKey> key = KeyOf(ref);
  if (!key.ok()) return key.status();
  Result<std::optional<store::StoredDocument>> found = store_.FindDocument(caller.account, *key);
  if (!found.ok()) return found.status();
  std::optional<store::StoredDocument> d = std::move(found).value();
  if (!d) return Status::NotFound(fmt::format("no document '{}' here", ref.id));
  return Document{std::move(d->content_type), std::move(d->body), std::move(d->etag), d->updated};
}

Result<std::vector<std::string>> Service::DocumentIds(const Caller& caller, const DocumentRef& ref,
                                                      std::optional<Instant> since) {
  if (!caller.scopes.Allows(domain::Scope::kRead)) return Denied(caller, "read");
  if (!store_.StoresStatements()) return Status::Unavailable(std::string(store::kNoStatementsHere));
  Result<store::DocumentKey> key = KeyOf(ref);
  if (!key.ok()) return key.status();
  Result<std::vector<store::StoredDocument>> listed =
      store_.ListDocuments(caller.account, *key, since);
  if (!listed.ok()) return listed.status();
  std::vector<std::string> ids;
  ids.reserve(listed->size());
  for (store::StoredDocument& d : std::move(listed).value()) ids.push_back(std::move(d.id));
  return ids;
}

Status Service::PutDocument(const Caller& caller, const DocumentRef& ref,
                            std::string_view content_type, std::string_view body,
                            const DocumentPreconditions& preconditions,
                            const DocumentMerge* merge) {
  if (!caller.scopes.Allows(domain::Scope::kIngest)) return Denied(caller, "ingest");
  if (!store_.StoresStatements()) return Status::Unavailable(std::string(store::kNoStatementsHere));
  Result<store::DocumentKey> key = KeyOf(ref);
  if (!key.ok()) return key.status();
  std::lock_guard lock(documents_mu_);
  Result<std::optional<store::StoredDocument>> stored = store_.FindDocument(caller.account, *key);
  if (!stored.ok()) return stored.status();
  COHORT_RETURN_IF_ERROR(CheckPreconditions(preconditions, *stored));
  const bool profile = ref.resource != DocumentResource::kState;
  if (profile && merge == nullptr && stored.value() && !preconditions.if_match &&
      !preconditions.if_none_match_any) {
    return Status::Conflict(
        "the document exists: check its current state (GET) and send If-Match with its ETag "
        "to replace it, or If-None-Match: * to create it only when absent (xAPI 1.0.3 §3.1)");
  }
  store::DocumentWrite write;
  write.content_type =
      content_type.empty() ? "application/octet-stream" : std::string(content_type);
  if (merge != nullptr && stored.value()) {
    if (!IsJson(content_type) || !IsJson((*stored)->content_type)) {
      return Status::Malformed(
          "POST merges JSON documents only: both the stored document and the one sent must be "
          "application/json; use PUT to replace it (xAPI 1.0.3 §2.2)");
    }
    Result<std::string> merged = (*merge)((*stored)->body, body);
    if (!merged.ok()) return merged.status();
    write.body = std::move(merged).value();
  } else {
    if (merge != nullptr && IsJson(content_type)) {
      // A POST that creates the document still has to send what a later POST can merge into.
      Result<std::string> checked = (*merge)("{}", body);
      if (!checked.ok()) return checked.status();
    }
    write.body = std::string(body);
  }
  write.etag = ETagOf(write.body);
  write.updated = clock_.Now();
  write.actor_hint = key->agent.empty() ? std::nullopt : ActorHint(key->agent);
  write.key = std::move(key).value();
  return store_.PutDocument(caller.account, write);
}

Status Service::DeleteDocuments(const Caller& caller, const DocumentRef& ref,
                                const DocumentPreconditions& preconditions) {
  if (!caller.scopes.Allows(domain::Scope::kIngest)) return Denied(caller, "ingest");
  if (!store_.StoresStatements()) return Status::Unavailable(std::string(store::kNoStatementsHere));
  Result<store::DocumentKey> key = KeyOf(ref);
  if (!key.ok()) return key.status();
  std::lock_guard lock(documents_mu_);
  if (!key->id.empty() && (preconditions.if_match || preconditions.if_none_match_any)) {
    Result<std::optional<store::StoredDocument>> stored = store_.FindDocument(caller.account, *key);
    if (!stored.ok()) return stored.status();
    COHORT_RETURN_IF_ERROR(CheckPreconditions(preconditions, *stored));
  }
  return store_.DeleteDocuments(caller.account, *key);
}

Status Service::CheckAgent(const Caller& caller, std::string_view agent_json) {
  if (!caller.scopes.Allows(domain::Scope::kRead)) return Denied(caller, "read");
  return xapi::AgentKey(agent_json).status();
}

}  // namespace cohort::service
