// ttlinkd: wiring only (see core/ for the components).
#include <cstdio>
int main() {
  std::puts("ttlinkd: not yet wired");
  return 0;
}
