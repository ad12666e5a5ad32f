#pragma once

#include "http/message.h"
#include "service/service.h"

namespace cohort::http {

// The HTTP API of SPEC §2 and §4.1 over a Service: routing, credentials, JSON in and out.
// Thread-safe (it holds no state of its own beyond the Service reference).
class Api {
 public:
  explicit Api(service::Service& service) : service_(service) {}
  Response Handle(const Request& request);

 private:
  service::Service& service_;
};

}  // namespace cohort::http
