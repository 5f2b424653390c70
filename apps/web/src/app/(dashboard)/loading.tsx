/** Shown inside the shell at once while the next dashboard page is prepared on the server. */
import { LoadingState } from "~/components/feedback";

export default function DashboardLoading() {
  return <LoadingState label="Loading the page…" />;
}
