#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "domain/write_batch.h"

namespace cohort::store {

// The detail of item `item` of a section: its index (when the section is a list) and the JSON
// pointer of `field` in it ("/3/user").
ErrorDetail ItemDetail(const domain::Origin& origin, std::size_t item, std::string_view field,
                       std::string reason);

// The referential problems one batch collects while a backend applies it (both backends'
// BatchWriter): up to 100 details, kInvalid ones winning over kConflict ones.
class BatchProblems {
 public:
  void Invalid(ErrorDetail d) { invalid_.push_back(std::move(d)); }
  void Conflict(ErrorDetail d) { conflict_.push_back(std::move(d)); }
  bool full() const { return invalid_.size() + conflict_.size() >= kMaxDetails; }
  // OK when nothing was collected; else kInvalid with its details, or kConflict.
  Status ToStatus() const;

 private:
  static constexpr std::size_t kMaxDetails = 100;
  std::vector<ErrorDetail> invalid_, conflict_;
};

}  // namespace cohort::store
