#ifndef CRM_CEDITLINE_SHIM_H
#define CRM_CEDITLINE_SHIM_H
#include <stdio.h>
#include <locale.h>
#include <editline/readline.h>
#endif
