#pragma once

// The tests' HTTP client is the shared one of src/http_client (also `cohort bench`'s); these
// are its names where the tests have always looked for them.
#include "http_client/http_client.h"
#include "http_client/raw_socket.h"

namespace cohort::testing {

using http_client::HeaderList;
using http_client::HttpClient;
using http_client::HttpResponse;
using http_client::RawSocket;
using http_client::SendOnce;

}  // namespace cohort::testing
