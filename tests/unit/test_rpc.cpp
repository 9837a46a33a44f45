// Registry: the JSON-RPC 2.0 envelope, dispatch and error mapping, without sockets.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/rpc/registry.hpp"

namespace ttlink::rpc {
namespace {
namespace json = boost::json;
using boost::asio::awaitable;

const Peer kPeer{1000, 1000, 42};

template <class T>
T run(awaitable<T> task) {
  boost::asio::io_context ioc;
  auto future = boost::asio::co_spawn(ioc, std::move(task), boost::asio::use_future);
  ioc.run();
  return future.get();
}

class RegistryTest : public ::testing::Test {
 protected:
  RegistryTest() {
    registry.add("echo", "returns its params",
                 [](const json::object& params, const Peer&) -> awaitable<MethodResult> {
                   co_return params;
                 });
    registry.add("whoami", "returns the peer",
                 [](const json::object&, const Peer& peer) -> awaitable<MethodResult> {
                   co_return json::object{{"uid", peer.uid}, {"pid", peer.pid}};
                 });
    registry.add("missing", "fails like a lookup of an unknown link",
                 [](const json::object&, const Peer&) -> awaitable<MethodResult> {
                   co_return to_method_error(Error::not_found("no link 7; see ttlinkctl links"));
                 });
    registry.add("throws", "a buggy handler",
                 [](const json::object&, const Peer&) -> awaitable<MethodResult> {
                   throw std::runtime_error("secret-token-in-exception");
                   co_return nullptr;
                 });
    registry.add("count", "counts calls, for notifications",
                 [this](const json::object&, const Peer&) -> awaitable<MethodResult> {
                   ++calls;
                   co_return json::value(calls);
                 });
  }

  // The response object, or null for no response.
  json::value send(std::string line) {
    auto outcome = run(registry.handle(line, kPeer));
    last_close = outcome.close_connection;
    return outcome.response ? json::parse(*outcome.response) : json::value(nullptr);
  }
  int error_code_of(std::string line) {
    json::value response = send(std::move(line));
    const json::value* code =
        response.is_object() ? response.as_object().if_contains("error") : nullptr;
    return code ? static_cast<int>(code->at("code").as_int64()) : 0;
  }

  Registry registry;
  int calls = 0;
  bool last_close = false;
};

TEST_F(RegistryTest, AnswersResultWithTheRequestId) {
  json::value r = send(R"({"jsonrpc":"2.0","id":7,"method":"echo","params":{"a":"b"}})");
  EXPECT_EQ(r, json::parse(R"({"jsonrpc":"2.0","id":7,"result":{"a":"b"}})"));
  r = send(R"({"jsonrpc":"2.0","id":"abc","method":"echo"})");
  EXPECT_EQ(r.at("id"), "abc");
  EXPECT_EQ(r.at("result"), json::object{});
}

TEST_F(RegistryTest, PassesThePeerToHandlers) {
  json::value r = send(R"({"jsonrpc":"2.0","id":1,"method":"whoami"})");
  EXPECT_EQ(r.at("result"), json::parse(R"({"uid":1000,"pid":42})"));
}

TEST_F(RegistryTest, MalformedJsonIsAParseErrorThatClosesTheConnection) {
  json::value r = send(R"({"jsonrpc":"2.0","id":1,"method":)");
  EXPECT_EQ(r.at("error").at("code"), code::kParseError);
  EXPECT_EQ(r.at("id"), nullptr);
  EXPECT_TRUE(last_close);
  EXPECT_EQ(error_code_of("\xff\xfe"), code::kParseError);
  EXPECT_EQ(error_code_of(""), code::kParseError);
}

TEST_F(RegistryTest, RejectsRequestsThatAreNotObjects) {
  EXPECT_EQ(error_code_of("[1,2]"), code::kInvalidRequest);
  EXPECT_EQ(error_code_of("42"), code::kInvalidRequest);
  EXPECT_EQ(error_code_of(R"("status")"), code::kInvalidRequest);
  EXPECT_FALSE(last_close);
}

TEST_F(RegistryTest, RejectsAWrongOrMissingJsonrpcVersion) {
  EXPECT_EQ(error_code_of(R"({"id":1,"method":"echo"})"), code::kInvalidRequest);
  EXPECT_EQ(error_code_of(R"({"jsonrpc":"1.0","id":1,"method":"echo"})"), code::kInvalidRequest);
  EXPECT_EQ(error_code_of(R"({"jsonrpc":2.0,"id":1,"method":"echo"})"), code::kInvalidRequest);
  // The id is still echoed when it was valid, so the client can match the answer.
  EXPECT_EQ(send(R"({"jsonrpc":"1.0","id":9,"method":"echo"})").at("id"), 9);
}

TEST_F(RegistryTest, RejectsIdsThatAreNotStringsIntegersOrNull) {
  for (const char* id : {"1.5", "true", "{}", "[1]"}) {
    std::string line = std::string(R"({"jsonrpc":"2.0","method":"echo","id":)") + id + "}";
    json::value r = send(line);
    EXPECT_EQ(r.at("error").at("code"), code::kInvalidRequest) << id;
    EXPECT_EQ(r.at("id"), nullptr) << id;
  }
  EXPECT_EQ(send(R"({"jsonrpc":"2.0","id":null,"method":"echo"})").at("result"), json::object{});
}

TEST_F(RegistryTest, RejectsAMissingOrNonStringMethod) {
  EXPECT_EQ(error_code_of(R"({"jsonrpc":"2.0","id":1})"), code::kInvalidRequest);
  EXPECT_EQ(error_code_of(R"({"jsonrpc":"2.0","id":1,"method":5})"), code::kInvalidRequest);
  EXPECT_EQ(error_code_of(R"({"jsonrpc":"2.0","id":1,"method":""})"), code::kInvalidRequest);
}

TEST_F(RegistryTest, RejectsParamsThatAreNotAnObject) {
  EXPECT_EQ(error_code_of(R"({"jsonrpc":"2.0","id":1,"method":"echo","params":[1]})"),
            code::kInvalidParams);
  EXPECT_EQ(error_code_of(R"({"jsonrpc":"2.0","id":1,"method":"echo","params":"x"})"),
            code::kInvalidParams);
}

TEST_F(RegistryTest, UnknownMethodNamesItAndPointsToDaemonMethods) {
  json::value r = send(R"({"jsonrpc":"2.0","id":3,"method":"link.frobnicate"})");
  EXPECT_EQ(r.at("error").at("code"), code::kMethodNotFound);
  std::string message(r.at("error").at("message").as_string());
  EXPECT_NE(message.find("link.frobnicate"), std::string::npos);
  EXPECT_NE(message.find("daemon.methods"), std::string::npos);
  EXPECT_EQ(r.at("id"), 3);
}

TEST_F(RegistryTest, HandlerErrorsKeepTheirCodeAndMessage) {
  json::value r = send(R"({"jsonrpc":"2.0","id":1,"method":"missing"})");
  EXPECT_EQ(r.at("error").at("code"), code::kNotFound);
  EXPECT_EQ(r.at("error").at("message"), "no link 7; see ttlinkctl links");
}

TEST_F(RegistryTest, CoreErrorsMapToJsonRpcCodes) {
  EXPECT_EQ(to_method_error(Error::invalid("x")).code, code::kInvalidParams);
  EXPECT_EQ(to_method_error(Error::not_found("x")).code, code::kNotFound);
  EXPECT_EQ(to_method_error(Error::conflict("x")).code, code::kConflict);
  EXPECT_EQ(to_method_error(Error::transient("x")).code, code::kUnavailable);
  EXPECT_EQ(to_method_error(Error::storage("x")).code, code::kStorage);
  EXPECT_EQ(to_method_error(Error::internal("x")).code, code::kInternalError);
  MethodError upstream = to_method_error(Error::upstream(40105, "Access token is invalid"));
  EXPECT_EQ(upstream.code, code::kUpstream);
  EXPECT_EQ(upstream.data, json::parse(R"({"upstream_code":40105})"));
}

TEST_F(RegistryTest, AThrowingHandlerIsAnInternalErrorWithoutItsMessage) {
  json::value r = send(R"({"jsonrpc":"2.0","id":1,"method":"throws"})");
  EXPECT_EQ(r.at("error").at("code"), code::kInternalError);
  EXPECT_EQ(json::serialize(r).find("secret-token"), std::string::npos);
}

TEST_F(RegistryTest, NotificationsRunButGetNoResponse) {
  EXPECT_EQ(send(R"({"jsonrpc":"2.0","method":"count"})"), nullptr);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(send(R"({"jsonrpc":"2.0","method":"no.such.method"})"), nullptr);
  EXPECT_EQ(run(registry.handle_line(R"({"jsonrpc":"2.0","method":"count"})", kPeer)),
            std::nullopt);
  EXPECT_EQ(calls, 2);
}

TEST_F(RegistryTest, DaemonMethodsListsEveryMethodWithItsSummary) {
  json::value r = send(R"({"jsonrpc":"2.0","id":1,"method":"daemon.methods"})");
  const json::array& methods = r.at("result").at("methods").as_array();
  std::vector<std::string> names;
  for (const auto& m : methods) names.emplace_back(m.at("name").as_string());
  EXPECT_EQ(names, (std::vector<std::string>{"count", "daemon.methods", "echo", "missing", "throws",
                                             "whoami"}));
  EXPECT_EQ(methods[2].at("summary"), "returns its params");
}

TEST_F(RegistryTest, RegisteringANameTwiceIsABug) {
  EXPECT_THROW(registry.add("echo", "again", nullptr), std::logic_error);
  EXPECT_TRUE(registry.contains("echo"));
  EXPECT_FALSE(registry.contains("ech"));
}

TEST(RpcParams, RequireStringExplainsWhatIsMissing) {
  json::object params{{"id", "7"}, {"n", 3}};
  EXPECT_EQ(require_string(params, "id").value(), "7");
  auto missing = require_string(params, "code");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("\"code\""), std::string::npos);
  EXPECT_EQ(to_method_error(missing.error()).code, code::kInvalidParams);
  EXPECT_FALSE(require_string(params, "n"));
  EXPECT_EQ(optional_string(params, "id"), "7");
  EXPECT_EQ(optional_string(params, "advertiser_id"), std::nullopt);
}

TEST(RpcPeer, DescribesItself) {
  EXPECT_EQ((Peer{1000, 100, 42}).describe(), "uid=1000 gid=100 pid=42");
}

}  // namespace
}  // namespace ttlink::rpc
