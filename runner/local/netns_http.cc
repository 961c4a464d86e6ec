#include "runner/local/netns_http.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "runner/process.h"

namespace npf::runner::local {

namespace {

void initCurlOnce() {
  static const bool done = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
  (void)done;
}

size_t appendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

}  // namespace

std::string HttpResponse::describe() const {
  if (!error.empty()) return error;
  std::string start = body.substr(0, 400);
  while (!start.empty() && (start.back() == '\n' || start.back() == '\r')) start.pop_back();
  return "HTTP " + std::to_string(status) + (start.empty() ? "" : ": " + start);
}

NetnsHttpClient::NetnsHttpClient(std::string netns, HttpTls tls)
    : netns_(std::move(netns)), tls_(std::move(tls)) {
  initCurlOnce();
  thread_ = std::thread([this] { loop(); });
}

NetnsHttpClient::~NetnsHttpClient() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void NetnsHttpClient::loop() {
  if (!netns_.empty()) {
    int fd = open(netnsPath(netns_).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
      std::lock_guard lock(mu_);
      threadError_ = "cannot enter network namespace " + netnsPath(netns_) + ": " + strerror(errno);
    }
    if (fd >= 0) close(fd);
  }
  CURL* curl = curl_easy_init();
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || job_; });
    if (stop_) break;
    auto job = std::move(job_);
    job_ = nullptr;
    lock.unlock();
    job(curl);
    lock.lock();
    done_ = true;
    cv_.notify_all();
  }
  if (curl) curl_easy_cleanup(curl);
}

HttpResponse NetnsHttpClient::perform(const HttpRequest& request) {
  HttpResponse response;
  auto job = [&](void* handle) {
    auto* curl = static_cast<CURL*>(handle);
    if (!curl) {
      response.error = "curl_easy_init failed";
      return;
    }
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, long(request.timeoutMs));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, long(request.timeoutMs));
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");  // never through a proxy from the environment
    if (request.method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
        request.method == "PATCH") {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, long(request.body.size()));
    }
    curl_slist* headers = nullptr;
    for (const auto& h : request.headers) headers = curl_slist_append(headers, h.c_str());
    if (headers) curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    if (!tls_.caFile.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, tls_.caFile.c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, appendBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
    char errorBuffer[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errorBuffer);
    CURLcode rc = curl_easy_perform(curl);
    if (rc != CURLE_OK) {
      response.error = request.method + " " + request.url + ": " +
                       (errorBuffer[0] ? errorBuffer : curl_easy_strerror(rc));
    } else {
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    }
    if (headers) curl_slist_free_all(headers);
  };
  std::lock_guard oneAtATime(callMu_);
  std::unique_lock lock(mu_);
  if (!threadError_.empty()) {
    response.error = threadError_;
    return response;
  }
  // Hand the job to the thread and wait for it to finish.
  done_ = false;
  job_ = job;
  cv_.notify_all();
  cv_.wait(lock, [&] { return done_ && !job_; });
  if (!threadError_.empty() && response.error.empty()) response.error = threadError_;
  return response;
}

}  // namespace npf::runner::local
