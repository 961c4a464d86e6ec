#include "runner/local/kube_api.h"

namespace npf::runner::local {

KubeApi::KubeApi(std::string netns, std::string server, std::string token, std::string caFile)
    : server_(std::move(server)), token_(std::move(token)) {
  HttpTls tls;
  tls.caFile = std::move(caFile);
  http_ = std::make_unique<NetnsHttpClient>(std::move(netns), tls);
}

HttpResponse KubeApi::call(const std::string& method, const std::string& path,
                           const std::string& body, const std::string& contentType) {
  HttpRequest r;
  r.method = method;
  r.url = server_ + path;
  r.headers = {"Authorization: Bearer " + token_, "Accept: application/json"};
  if (!contentType.empty()) r.headers.push_back("Content-Type: " + contentType);
  r.body = body;
  return http_->perform(r);
}

HttpResponse KubeApi::get(const std::string& path) { return call("GET", path, "", ""); }

HttpResponse KubeApi::create(const std::string& collectionPath, const std::string& json) {
  return call("POST", collectionPath, json, "application/json");
}

HttpResponse KubeApi::replace(const std::string& path, const std::string& json) {
  return call("PUT", path, json, "application/json");
}

HttpResponse KubeApi::mergePatch(const std::string& path, const std::string& json) {
  return call("PATCH", path, json, "application/merge-patch+json");
}

HttpResponse KubeApi::remove(const std::string& path) {
  return call("DELETE", path,
              R"({"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":0})",
              "application/json");
}

}  // namespace npf::runner::local
