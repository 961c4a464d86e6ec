// Tests of the real Cyclonus (--backend analyzer): skipped without its binary, failed instead
// when NPF_REQUIRE_ANALYZERS=1 (CI, scripts/test.sh).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "runner/analyzer/analyzer_backend.h"

#define NPF_REQUIRE_CYCLONUS()                                                                   \
  do {                                                                                           \
    const std::string bin =                                                                      \
        npf::runner::analyzer::analyzerBinary(*npf::runner::analyzer::findAnalyzer("cyclonus")); \
    if (access(bin.c_str(), X_OK) != 0) {                                                        \
      const char* req = std::getenv("NPF_REQUIRE_ANALYZERS");                                    \
      if (req && std::string(req) == "1")                                                        \
        FAIL() << bin << " is missing (scripts/install-deps.sh --with-analyzers)";               \
      GTEST_SKIP() << "needs scripts/install-deps.sh --with-analyzers (" << bin << ")";          \
    }                                                                                            \
  } while (0)
