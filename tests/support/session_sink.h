// A session sink for tests: calls a function after every case (or nothing, when it is empty).
#pragma once

#include <functional>
#include <utility>

#include "runner/session.h"

namespace npf::testing {

class OnEachCase : public runner::SessionSink {
 public:
  using Callback = std::function<void(const Case&, const runner::CaseResult&)>;
  explicit OnEachCase(Callback callback = {}) : callback_(std::move(callback)) {}
  void caseDone(const runner::SessionCase& c, const runner::CaseResult& r,
                const runner::ReplayResult*, const runner::SessionResult&) override {
    if (callback_) callback_(c.kase, r);
  }

 private:
  Callback callback_;
};

}  // namespace npf::testing
