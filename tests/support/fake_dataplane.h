// A scripted dataplane for minimizer and replay tests (no root, no kernel): answers every probe
// from the oracle's verdict on the cluster as the "buggy dataplane" sees it: the desired state
// through a bug transform, optionally with labels frozen at pod creation (a stale label cache,
// as the local fault LABEL_UPDATE_STALE) and with pod addresses of its own (an IPAM).
#pragma once

#include <functional>
#include <map>
#include <string>

#include "oracle/matrix.h"
#include "runner/backend.h"

namespace npf::testing {

class FakeDataplane : public runner::Backend {
 public:
  std::string name() const override { return "fake"; }
  // Follows the profile like the local enforcer; faults are only recorded (`bug` is the fault).
  std::string configure(const runner::RunSettings& s) override {
    configured.push_back(s);
    profile_ = s.profile;
    return "";
  }
  std::string setUp(const Cluster& c) override {
    ++setUps;
    created_.clear();
    setUpSizes.push_back(c.policies.size());
    return apply(c);
  }
  std::string reconcile(const Cluster& c) override {
    ++reconciles;
    return apply(c);
  }
  Cluster actual() const override { return view_; }
  std::vector<runner::ProbeResult> probe(const std::vector<Probe>& probes,
                                         const runner::ProbeOptions&) override {
    using K = runner::ProbeResult::Kind;
    Cluster seen = view_;
    if (staleLabels)
      for (auto& p : seen.pods)
        if (auto it = created_.find(p.meta.namespace_ + "/" + p.meta.name); it != created_.end())
          p.meta.labels = it->second;
    if (bug) bug(seen);
    std::vector<runner::ProbeResult> out;
    for (const auto& p : probes) {
      ++probed;
      ProbeSet s;
      s.blocks.push_back({{p.from}, {p.target}});
      auto v = computeMatrix(seen, s, profile_).verdict(0);
      out.push_back({!v ? K::Skipped : *v == Verdict::Deny ? K::Timeout : K::Connected, 1, ""});
    }
    return out;
  }
  void tearDown() override { ++tearDowns; }

  std::function<void(Cluster&)> bug;  // what the dataplane gets wrong
  bool staleLabels = false;           // pods keep the labels they were created with
  std::string ipFrom, ipTo;           // pod addresses: prefix ipFrom replaced by ipTo
  int setUps = 0, reconciles = 0, tearDowns = 0;
  size_t probed = 0;
  std::vector<size_t> setUpSizes;  // policies given to each setUp
  std::vector<runner::RunSettings> configured;

 private:
  std::string apply(const Cluster& c) {
    std::map<std::string, Labels> next;
    for (const auto& p : c.pods) {
      std::string key = p.meta.namespace_ + "/" + p.meta.name;
      auto it = created_.find(key);
      next[key] = it != created_.end() ? it->second : p.meta.labels;
    }
    created_ = next;
    view_ = c;
    if (!ipFrom.empty())
      for (auto& p : view_.pods) {
        auto move = [&](std::string& a) {
          if (a.rfind(ipFrom, 0) == 0) a = ipTo + a.substr(ipFrom.size());
        };
        move(p.podIP);
        for (auto& a : p.podIPs) move(a);
      }
    return "";
  }

  Cluster view_;
  Profile profile_;
  std::map<std::string, Labels> created_;
};

}  // namespace npf::testing
