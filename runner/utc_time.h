// The time stamps results, saved cases and kept clusters carry.
#pragma once

#include <string>

namespace npf::runner {

// Now, as UTC RFC 3339 to the second: "2026-12-04T06:55:00Z".
std::string utcNow();

}  // namespace npf::runner
