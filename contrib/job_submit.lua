--[[
ebb: apply the plan that spank_ebb.so exported, on the controller.

spank_ebb.so plans each job in sbatch/salloc/srun and writes the plan into the job's
SPANK environment: EBB_BEGIN (epoch seconds, only when the job is deferred),
EBB_LATEST_START and EBB_DEADLINE (epoch seconds), EBB_PLAN (a short summary).
With ApplyInClient=no in ebb.conf the plugin only exports the plan, and this script
sets the job's begin time from it. With ApplyInClient=yes (the default) the begin
time is already set and this script only checks it.

Install: copy next to slurm.conf as job_submit.lua and set JobSubmitPlugins=lua
(append to an existing list with a comma). Works with the job_submit/lua API of
Slurm 22.05 to 26.05.

Rules: never fail or reject a job (every path returns slurm.SUCCESS); never move a
job earlier than the user's own --begin; never past its deadline
(begin + time limit <= EBB_DEADLINE); no I/O beyond Slurm's log, because slurmctld
runs this while holding its locks. The plan record EBB_RECORD is kept in the job's
AdminComment (for ebbd's re-planning, `ebb why` and the savings ledger).
--]]

local NO_VAL = 4294967294   -- Slurm's "not set" for 32-bit fields (time_limit)
local INFINITE = 4294967295

-- job_desc.spank_job_env is a read-only table indexed from 0, so ipairs would skip
-- the first entry: walk it by index up to spank_job_env_size.
local function ebb_env(job_desc)
  local env = {}
  local list = job_desc.spank_job_env
  if list == nil then return env end
  local size = job_desc.spank_job_env_size or 0
  for i = 0, size - 1 do
    local entry = list[i]
    if type(entry) == "string" then
      local name, value = string.match(entry, "^(EBB_[%w_]+)=(.*)$")
      if name then env[name] = value end
    end
  end
  return env
end

-- The plan record (ebb1:..., see include/ebb/plan_record.hpp) goes into the job's
-- AdminComment, where it lives as long as the accounting does: ebbd re-plans held jobs
-- from it and the savings ledger reads it back from sacct. A site's own AdminComment
-- text is kept (the record is appended after a space); a record already there stays.
local function store_record(job_desc, env)
  local record = env.EBB_RECORD
  if record == nil or #record > 200 or not string.match(record, "^ebb1:[%w%.,=/%-]+$") then
    return
  end
  local current = job_desc.admin_comment
  if current == nil or current == "" then
    job_desc.admin_comment = record
  elseif not string.find(current, "ebb1:", 1, true) then
    job_desc.admin_comment = current .. " " .. record
  end
end

local function apply_plan(job_desc, submit_uid)
  local env = ebb_env(job_desc)
  store_record(job_desc, env)
  local begin = tonumber(env.EBB_BEGIN)
  if begin == nil then return end  -- not deferred, or no ebb plan

  local who = string.format("uid %d job %s", submit_uid, tostring(job_desc.name))
  local current = tonumber(job_desc.begin_time) or 0
  if current >= begin then
    if current == begin then
      slurm.log_debug("ebb: %s: begin time already set by the plugin", who)
    end
    return  -- the client applied it, or the user's own --begin is later
  end

  -- Keep the deadline: begin + time limit must not pass it.
  local deadline = tonumber(env.EBB_DEADLINE)
  local limit = tonumber(job_desc.time_limit)
  if deadline ~= nil and limit ~= nil and limit ~= NO_VAL and limit ~= INFINITE then
    local latest = deadline - limit * 60
    if begin > latest then
      slurm.log_info("ebb: %s: plan %d would pass the deadline %d; begins at %d instead",
                     who, begin, deadline, latest)
      begin = latest
    end
  end
  if begin <= current or begin <= os.time() then return end

  job_desc.begin_time = begin
  slurm.log_info("ebb: %s: begin time set to %d from the exported plan (%s)", who, begin,
                 tostring(env.EBB_PLAN))
end

function slurm_job_submit(job_desc, part_list, submit_uid)
  local ok, err = pcall(apply_plan, job_desc, submit_uid)
  if not ok then
    slurm.log_error("ebb: job_submit.lua: %s; job left unchanged", tostring(err))
  end
  return slurm.SUCCESS
end

function slurm_job_modify(job_desc, job_rec, part_list, modify_uid)
  return slurm.SUCCESS
end

slurm.log_info("ebb: job_submit.lua loaded")
