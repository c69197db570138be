from sradar_desktop.cli import main

raise SystemExit(main())
