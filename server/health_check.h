// The --health-check mode: one GET / against a running ddbd, for container health checks in
// images that have no shell or curl.
#pragma once

#include <string>

namespace ddbd::server {

// True when http://host:port/ answered 200 within the timeout. 0.0.0.0 means the loopback.
bool CheckHealth(const std::string& host, unsigned short port, int timeout_ms = 2000);

}  // namespace ddbd::server
