// HTTP(S) from inside a network namespace: the API server of `--enforcer kube-router` listens
// only in the run's control namespace, and policy agents serve metrics only in their node's, so
// nothing of a run is reachable from (or listens on) the host's own network. One thread per
// client enters the namespace once and performs every request of that client with libcurl,
// reusing its connection.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace npf::runner::local {

struct HttpResponse {
  long status = 0;    // HTTP status; 0 when no response arrived
  std::string body;   // response body
  std::string error;  // transport error (connection refused, TLS, timeout), "" when answered
  bool ok() const { return error.empty() && status >= 200 && status < 300; }
  // "HTTP 404: <body start>" or the transport error, for messages.
  std::string describe() const;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  int timeoutMs = 10000;
};

struct HttpTls {
  std::string caFile;  // verify the server against this CA bundle ("" : the system's)
};

class NetnsHttpClient {
 public:
  // `netns`: a name under /run/netns, a path, or "" for the caller's namespace.
  explicit NetnsHttpClient(std::string netns, HttpTls tls = {});
  ~NetnsHttpClient();
  NetnsHttpClient(const NetnsHttpClient&) = delete;
  NetnsHttpClient& operator=(const NetnsHttpClient&) = delete;

  // Performs the request on the client's thread and waits for it. Thread-safe (serialized).
  HttpResponse perform(const HttpRequest& request);

 private:
  void loop();

  std::string netns_;
  HttpTls tls_;
  std::mutex callMu_;  // one perform() at a time
  std::mutex mu_;
  std::condition_variable cv_;
  std::function<void(void*)> job_;  // runs with the thread's CURL handle
  bool done_ = false, stop_ = false;
  std::string threadError_;  // why the thread could not enter the namespace
  std::thread thread_;
};

}  // namespace npf::runner::local
