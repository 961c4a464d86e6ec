// A small client of the Kubernetes REST API, for mirroring a case into the API server of
// `--enforcer kube-router|exec`: JSON in, JSON out, a bearer token, from inside the control
// namespace (netns_http.h). Only what the mirror needs: create, replace, merge-patch, delete,
// get.
#pragma once

#include <memory>
#include <string>

#include "runner/local/netns_http.h"

namespace npf::runner::local {

class KubeApi {
 public:
  // `server`: "https://ADDR:PORT"; `caFile` verifies it; requests run inside `netns`.
  KubeApi(std::string netns, std::string server, std::string token, std::string caFile);

  HttpResponse get(const std::string& path);
  HttpResponse create(const std::string& collectionPath, const std::string& json);
  HttpResponse replace(const std::string& path, const std::string& json);
  HttpResponse mergePatch(const std::string& path, const std::string& json);
  // Deletes immediately (gracePeriodSeconds 0: no kubelet will confirm a pod's end).
  HttpResponse remove(const std::string& path);

  const std::string& server() const { return server_; }

 private:
  HttpResponse call(const std::string& method, const std::string& path, const std::string& body,
                    const std::string& contentType);

  std::string server_, token_;
  std::unique_ptr<NetnsHttpClient> http_;
};

}  // namespace npf::runner::local
