#pragma once
// Human views of the alert methods: alerts.list, alert.ack, alert.test.
#include <boost/json/value.hpp>

#include <string>

namespace ttlink::ctl {

// One line per alert (id, kind, status, age, link), then its action.
std::string alerts_view(const boost::json::value& result);
std::string alert_acked_view(const boost::json::value& result);
// One row per sink: ok, or the error.
std::string alert_test_view(const boost::json::value& result);
bool alert_test_failed(const boost::json::value& result);

}  // namespace ttlink::ctl
