#include "tools/tools.h"
int cmd_report(int argc, char **argv) { return EXIT_USAGE; }
