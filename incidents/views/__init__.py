"""The incident pages: `pages` reads (list, detail, types), `writes` the forms that change one."""
