#include "http/message.h"

namespace cohort::http {

std::string_view Request::Header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  if (it == headers.end()) return {};
  return it->second;
}

}  // namespace cohort::http
