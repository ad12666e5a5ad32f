#include "domain/key.h"

namespace cohort::domain {

bool IsValidKey(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyBytes || key == "." || key == "..") return false;
  for (char c : key) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsValidAttemptId(std::string_view id) {
  if (id.empty() || id.size() > kMaxKeyBytes) return false;
  for (char c : id) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return true;
}

}  // namespace cohort::domain
