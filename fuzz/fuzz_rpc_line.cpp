// fuzz/: libFuzzer targets for every parser reachable from outside the host.
// fuzz_rpc_line: one control-socket request line through Registry::handle,
// the parser and envelope checks every client reaches. Not in the default
// build; build it with clang, for example:
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I. \
//     -DBOOST_ASIO_SEPARATE_COMPILATION -DBOOST_BEAST_SEPARATE_COMPILATION \
//     -DBOOST_ASIO_NO_DEPRECATED fuzz/fuzz_rpc_line.cpp core/rpc/registry.cpp \
//     core/asio/asio_impl.cpp -lboost_json -lssl -lcrypto -o fuzz_rpc_line
// (The clang on the dev host fails on Asio coroutines with "Cannot represent a
// difference across sections"; a newer clang is needed. The target was smoke-run
// with g++ and a main() feeding sample lines.)
// Invariant checked: a response is one line of valid JSON with "jsonrpc":"2.0".
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/rpc/registry.hpp"

namespace {

ttlink::rpc::Registry& registry() {
  static ttlink::rpc::Registry r;  // fuzzer process state, not daemon state
  static bool once = [] {
    r.add("echo", "returns its params",
          [](const boost::json::object& params, const ttlink::rpc::Peer&)
              -> boost::asio::awaitable<ttlink::rpc::MethodResult> { co_return params; });
    return true;
  }();
  (void)once;
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  boost::asio::io_context ioc;
  auto future = boost::asio::co_spawn(ioc, registry().handle(line, ttlink::rpc::Peer{}),
                                      boost::asio::use_future);
  ioc.run();
  ttlink::rpc::LineOutcome outcome = future.get();
  if (!outcome.response) return 0;
  if (outcome.response->find('\n') != std::string::npos) std::abort();
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(*outcome.response, ec);
  if (ec || !v.is_object() || v.as_object().at("jsonrpc") != "2.0") std::abort();
  return 0;
}
