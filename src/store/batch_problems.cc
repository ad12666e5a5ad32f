#include "store/batch_problems.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace cohort::store {

ErrorDetail ItemDetail(const domain::Origin& origin, std::size_t item, std::string_view field,
                       std::string reason) {
  if (!origin.indexed) {
    return {std::nullopt, fmt::format("{}{}", origin.list_pointer, field), std::move(reason)};
  }
  return {item, fmt::format("{}/{}{}", origin.list_pointer, item, field), std::move(reason)};
}

Status BatchProblems::ToStatus() const {
  const std::vector<ErrorDetail>& details = invalid_.empty() ? conflict_ : invalid_;
  if (details.empty()) return Status();
  std::vector<ErrorDetail> kept(
      details.begin(),
      details.begin() + static_cast<std::ptrdiff_t>(std::min(details.size(), kMaxDetails)));
  std::string message = kept.front().reason;
  if (details.size() > 1) message += fmt::format(" (and {} more)", details.size() - 1);
  return invalid_.empty() ? Status::Conflict(std::move(message), std::move(kept))
                          : Status::Invalid(std::move(message), std::move(kept));
}

}  // namespace cohort::store
