#include "runner/local/enforcer.h"

namespace npf::runner::local {

const char* toString(EnforcerKind kind) {
  switch (kind) {
    case EnforcerKind::Nftables:
      return "nftables";
    case EnforcerKind::KubeRouter:
      return "kube-router";
    case EnforcerKind::Exec:
      return "exec";
  }
  return "?";
}

std::optional<EnforcerKind> enforcerKindFromName(const std::string& name) {
  for (auto k : {EnforcerKind::Nftables, EnforcerKind::KubeRouter, EnforcerKind::Exec})
    if (name == toString(k)) return k;
  return std::nullopt;
}

std::string describeEnforcer(const EnforcerSpec& spec) {
  switch (spec.kind) {
    case EnforcerKind::Nftables:
      return "nftables";
    case EnforcerKind::KubeRouter:
      return std::string("kube-router ") + kKubeRouterVersion;
    case EnforcerKind::Exec:
      return "exec: " + spec.commandTemplate;
  }
  return "?";
}

std::vector<std::string> expandCommandTemplate(const std::string& tmpl,
                                               const std::string& kubeconfig,
                                               const std::string& node, const std::string& nodeIp,
                                               std::string& error) {
  error.clear();
  std::vector<std::string> words;
  std::string word;
  bool inWord = false;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    char c = tmpl[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (inWord) words.push_back(word);
      word.clear();
      inWord = false;
    } else if (c == '\'' || c == '"') {
      inWord = true;
      size_t j = i + 1;
      for (; j < tmpl.size() && tmpl[j] != c; ++j) {
        if (c == '"' && tmpl[j] == '\\' && j + 1 < tmpl.size() &&
            (tmpl[j + 1] == '"' || tmpl[j + 1] == '\\'))
          ++j;
        word += tmpl[j];
      }
      if (j >= tmpl.size()) {
        error = "unbalanced " + std::string(1, c) + " in the command template";
        return {};
      }
      i = j;
    } else {
      inWord = true;
      word += c;
    }
  }
  if (inWord) words.push_back(word);
  if (words.empty()) {
    error = "the command template is empty";
    return {};
  }
  for (auto& w : words) {
    std::string out;
    for (size_t i = 0; i < w.size(); ++i) {
      if (w[i] != '{') {
        out += w[i];
        continue;
      }
      size_t close = w.find('}', i);
      std::string name = close == std::string::npos ? "" : w.substr(i + 1, close - i - 1);
      if (name == "kubeconfig")
        out += kubeconfig;
      else if (name == "node")
        out += node;
      else if (name == "node-ip")
        out += nodeIp;
      else {
        error = "unknown placeholder in the command template: " +
                w.substr(i, close == std::string::npos ? std::string::npos : close - i + 1) +
                " (known: {kubeconfig}, {node}, {node-ip})";
        return {};
      }
      i = close;
    }
    w = out;
  }
  return words;
}

}  // namespace npf::runner::local
